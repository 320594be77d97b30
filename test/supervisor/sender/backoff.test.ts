/**
 * Retry timing: the delay after each failed attempt grows by the factor up to the cap, and the
 * attempt count decides whether another attempt is allowed.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { attemptsLeft, retryDelaySeconds, type RetryPolicy } from '../../../supervisor/sender/backoff.js'

const POLICY: RetryPolicy = { maxAttempts: 8, firstRetrySeconds: 30, factor: 2, maxDelaySeconds: 1800 }

describe('retryDelaySeconds', () => {
  it('waits firstRetrySeconds after the first failed attempt', () => {
    assert.equal(retryDelaySeconds(1, POLICY), 30)
  })

  it('multiplies the delay by the factor for each further failure', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => retryDelaySeconds(n, POLICY)), [30, 60, 120, 240, 480, 960])
  })

  it('never waits longer than maxDelaySeconds', () => {
    assert.equal(retryDelaySeconds(7, POLICY), 1800)
    assert.equal(retryDelaySeconds(50, POLICY), 1800)
    assert.equal(retryDelaySeconds(5000, POLICY), 1800, 'an overflowing power is still capped')
  })

  it('treats zero or negative failed attempts like the first', () => {
    assert.equal(retryDelaySeconds(0, POLICY), 30)
    assert.equal(retryDelaySeconds(-3, POLICY), 30)
  })

  it('keeps a constant delay with factor 1', () => {
    const flat = { ...POLICY, factor: 1 }
    assert.deepEqual([1, 2, 10].map((n) => retryDelaySeconds(n, flat)), [30, 30, 30])
  })

  it('caps even the first delay when it exceeds the maximum', () => {
    assert.equal(retryDelaySeconds(1, { ...POLICY, firstRetrySeconds: 5000 }), 1800)
  })

  it('follows a fractional factor too', () => {
    assert.equal(retryDelaySeconds(3, { ...POLICY, factor: 1.5 }), 67.5)
  })
})

describe('attemptsLeft', () => {
  it('allows another attempt while fewer than maxAttempts were made', () => {
    assert.equal(attemptsLeft(0, POLICY), true)
    assert.equal(attemptsLeft(7, POLICY), true)
  })

  it('allows none once maxAttempts were made', () => {
    assert.equal(attemptsLeft(8, POLICY), false)
    assert.equal(attemptsLeft(9, POLICY), false)
  })

  it('allows exactly one attempt with maxAttempts 1', () => {
    const once = { ...POLICY, maxAttempts: 1 }
    assert.equal(attemptsLeft(0, once), true)
    assert.equal(attemptsLeft(1, once), false)
  })
})
