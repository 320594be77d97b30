/**
 * Which finished jobs retention deletes: by age per outcome, and how much the disk needs freed.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DEFAULT_SETTINGS } from '../../../supervisor/config/settings.js'
import type { FinishedJob } from '../../../supervisor/jobs/job-index.js'
import { bytesToFree, planTimeRetention } from '../../../supervisor/maintenance/retention-plan.js'

const now = new Date('2026-11-28T12:00:00Z')
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString()
const job = (id: string, outcome: string | null, days: number, state: FinishedJob['state'] = 'done'): FinishedJob => ({ id, state, outcome, settledAt: daysAgo(days), bytes: 1 })

describe('planTimeRetention', () => {
  it('keeps everything when no days are set (the default)', () => {
    assert.deepEqual(planTimeRetention([job('a', 'success', 400)], DEFAULT_SETTINGS.retention, now), [])
  })

  it('deletes finished jobs older than the days kept for their outcome, and says why', () => {
    const policy = { ...DEFAULT_SETTINGS.retention, successDays: 7, failedDays: 30, partialDays: 0 }
    const plan = planTimeRetention([job('old-ok', 'success', 8), job('new-ok', 'success', 6), job('old-failed', 'failed', 31), job('young-failed', 'failed', 29), job('old-partial', 'partial', 100)], policy, now)
    assert.deepEqual(plan.map((d) => d.id), ['old-ok', 'old-failed'])
    assert.match(plan[0]!.reason, /finished 8\.0 days ago \(outcome success, kept 7 days\)/)
  })

  it('treats a job that could not run (no outcome) by the failed days', () => {
    const policy = { ...DEFAULT_SETTINGS.retention, failedDays: 1 }
    assert.deepEqual(planTimeRetention([job('x', null, 2, 'failed')], policy, now).map((d) => d.id), ['x'])
  })
})

describe('bytesToFree', () => {
  const policy = { ...DEFAULT_SETTINGS.retention, highWaterPercent: 90, lowWaterPercent: 80 }

  it('frees nothing at or below the high-water mark', () => {
    assert.equal(bytesToFree({ sizeBytes: 1000, freeBytes: 100, usedPercent: 90 }, policy), 0)
  })

  it('frees down to the low-water mark above the high-water mark', () => {
    assert.equal(bytesToFree({ sizeBytes: 1000, freeBytes: 50, usedPercent: 95 }, policy), 150)
  })
})
