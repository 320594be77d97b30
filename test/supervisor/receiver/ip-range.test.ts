/**
 * Caller addresses against allow-lists, and which callers are on this machine.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ipMatcher, isIpRange, isLoopback } from '../../../supervisor/receiver/ip-range.js'

describe('isIpRange', () => {
  it('takes addresses and CIDR ranges of both families, and nothing else', () => {
    for (const ok of ['10.0.0.5', '10.0.0.0/8', '0.0.0.0/0', 'fd00::/8', '::1', '2001:db8::/128']) assert.ok(isIpRange(ok), ok)
    for (const bad of ['', 'pacs.example.org', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/8/8', '10.0.0.0/x', '10.0.0.0/-1']) assert.ok(!isIpRange(bad), bad)
  })
})

describe('ipMatcher', () => {
  it('matches an address inside a range, IPv4 mapped into IPv6 included', () => {
    const match = ipMatcher(['10.0.0.0/8', '192.168.1.7', 'fd00::/8'])
    for (const inside of ['10.1.2.3', '::ffff:10.1.2.3', '192.168.1.7', 'fd00::1']) assert.ok(match(inside), inside)
    for (const outside of ['11.0.0.1', '192.168.1.8', 'fe80::1', '']) assert.ok(!match(outside), outside)
  })

  it('matches every address when the list is empty', () => {
    assert.ok(ipMatcher([])('203.0.113.9'))
  })
})

describe('isLoopback', () => {
  it('is true only for callers on this machine', () => {
    for (const here of ['127.0.0.1', '127.0.0.3', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopback(here), here)
    for (const away of ['10.0.2.2', '::ffff:10.0.2.2', '192.168.0.1', 'fe80::1', '', 'localhost']) assert.ok(!isLoopback(away), away)
  })
})
