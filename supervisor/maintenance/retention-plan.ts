/**
 * @module retention-plan
 * Which finished jobs retention deletes (pure). Time-based: a finished job older than the days
 * kept for its outcome (0 = forever). Disk-based: above the high-water mark, the longest
 * finished jobs first until the low-water mark would be reached. Jobs that are queued, running
 * or routing are never candidates (the index query only gives finished ones).
 */
import type { RetentionSettings } from '../config/settings.js'
import type { FinishedJob } from '../jobs/job-index.js'

export interface Deletion {
  id: string
  reason: string
}

const DAY_MS = 86_400_000

function daysFor(job: FinishedJob, policy: RetentionSettings): number {
  if (job.outcome === 'success') return policy.successDays
  if (job.outcome === 'partial') return policy.partialDays
  return policy.failedDays
}

export function planTimeRetention(jobs: FinishedJob[], policy: RetentionSettings, now: Date): Deletion[] {
  const out: Deletion[] = []
  for (const job of jobs) {
    const days = daysFor(job, policy)
    if (days <= 0) continue
    const age = now.getTime() - Date.parse(job.settledAt)
    if (age > days * DAY_MS) out.push({ id: job.id, reason: `finished ${(age / DAY_MS).toFixed(1)} days ago (outcome ${job.outcome ?? job.state}, kept ${days} days)` })
  }
  return out
}

export interface DiskPicture {
  sizeBytes: number
  freeBytes: number
  usedPercent: number
}

// Bytes to free to get from above the high-water mark down to the low-water mark (0 when below high).
export function bytesToFree(disk: DiskPicture, policy: RetentionSettings): number {
  if (disk.usedPercent <= policy.highWaterPercent) return 0
  const usable = disk.sizeBytes
  const used = (disk.usedPercent / 100) * usable
  return Math.max(0, used - (policy.lowWaterPercent / 100) * usable)
}
