/**
 * The restart policy: exponential backoff, then given-up past the limit within the window.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decideRestart, DEFAULT_RESTART_POLICY, type RestartPolicy } from '../../../supervisor/supervision/restart-policy.js'

const policy: RestartPolicy = { firstDelaySeconds: 1, factor: 2, maxDelaySeconds: 10, maxRestarts: 3, windowSeconds: 60 }

describe('decideRestart', () => {
  it('restarts a unit that never crashed after the first delay', () => {
    assert.deepEqual(decideRestart([], 1_000_000, policy), { action: 'restart', delayMs: 1000 })
  })

  it('doubles the delay for every restart within the window, up to the maximum', () => {
    const now = 1_000_000
    assert.deepEqual(decideRestart([now - 5000], now, policy), { action: 'restart', delayMs: 2000 })
    assert.deepEqual(decideRestart([now - 5000, now - 3000], now, policy), { action: 'restart', delayMs: 4000 })
    const wide = { ...policy, maxRestarts: 100, maxDelaySeconds: 5 }
    assert.deepEqual(decideRestart([1, 2, 3, 4, 5, 6].map((n) => now - n), now, wide), { action: 'restart', delayMs: 5000 })
  })

  it('gives up after maxRestarts restarts within the window, saying why', () => {
    const now = 1_000_000
    const decision = decideRestart([now - 30_000, now - 20_000, now - 10_000], now, policy)
    assert.equal(decision.action, 'give-up')
    assert.match((decision as { reason: string }).reason, /3 restarts within 60 s \(limit 3\)/)
  })

  it('forgets restarts older than the window', () => {
    const now = 1_000_000
    assert.deepEqual(decideRestart([now - 120_000, now - 100_000, now - 90_000], now, policy), { action: 'restart', delayMs: 1000 })
  })

  it('has defaults that restart a few times quickly and then give up', () => {
    assert.equal(decideRestart([], 0, DEFAULT_RESTART_POLICY).action, 'restart')
    const times = Array.from({ length: DEFAULT_RESTART_POLICY.maxRestarts }, (_, i) => 1000 + i)
    assert.equal(decideRestart(times, 2000, DEFAULT_RESTART_POLICY).action, 'give-up')
  })
})
