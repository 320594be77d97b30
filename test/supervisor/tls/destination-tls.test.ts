/**
 * routing.json's "tls" on a destination: what is accepted, what is refused with a message, and
 * how file paths and verification become Node's connection options.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseDestinationTls, resolveTlsFiles, TlsFileError, tlsConnectionOptions } from '../../../supervisor/tls/destination-tls.js'

describe('destination TLS', () => {
  it('takes true as "TLS, verified against the system CAs" and false or nothing as clear text', () => {
    const problems: string[] = []
    assert.deepEqual(parseDestinationTls(true, 'tls', problems), { verify: true })
    assert.equal(parseDestinationTls(undefined, 'tls', problems), undefined)
    assert.equal(parseDestinationTls(false, 'tls', problems), undefined)
    assert.deepEqual(problems, [])
  })

  it('refuses unknown fields, a certificate without its key, and a verify that is not a boolean', () => {
    const problems: string[] = []
    parseDestinationTls({ ca: 'ca.pem', certificate: 'me.pem', verfy: false, verify: 'no' }, 'routing[0].tls', problems)
    assert.ok(problems.some((p) => p.includes('routing[0].tls.verfy is not a known TLS field')))
    assert.ok(problems.some((p) => p.includes('certificate and routing[0].tls.key go together')))
    assert.ok(problems.some((p) => p.includes('verify must be true or false')))
  })

  it('reads relative files from the folder of routing.json and keeps absolute ones', () => {
    const tls = resolveTlsFiles({ ca: 'certs/ca.pem', certificate: '/etc/box/me.pem', key: 'me.key', verify: true }, '/data')
    assert.deepEqual(tls, { ca: '/data/certs/ca.pem', certificate: '/etc/box/me.pem', key: '/data/me.key', verify: true })
  })

  it('names the file it cannot read', () => {
    assert.throws(() => tlsConnectionOptions({ ca: '/nonexistent/ca.pem', verify: true }, 'pacs.local'), (e: Error) => e instanceof TlsFileError && /CA file \/nonexistent\/ca\.pem: ENOENT/.test(e.message))
  })

  it('verifies by default, sends the host name for SNI but not an address, and checks a given server name instead', () => {
    assert.equal(tlsConnectionOptions({ verify: true }, 'pacs.local').rejectUnauthorized, true)
    assert.equal(tlsConnectionOptions({ verify: true }, 'pacs.local').servername, 'pacs.local')
    assert.equal(tlsConnectionOptions({ verify: true }, '10.1.2.3').servername, undefined)
    assert.equal(tlsConnectionOptions({ verify: false }, '10.1.2.3').rejectUnauthorized, false)
    const named = tlsConnectionOptions({ verify: true, serverName: 'pacs.hospital.org' }, '10.1.2.3')
    assert.equal(named.servername, 'pacs.hospital.org')
    assert.equal(typeof named.checkServerIdentity, 'function')
  })
})
