/**
 * @module job-transitions
 * The job lifecycle as one table: every state change goes through {@link moveJob}.
 */
import type { Job, JobState } from './job.js'

export const JOB_TRANSITIONS = {
  /** waiting for its stream's worker */
  queued: ['running', 'failed', 'cancelled'],
  /** the stream runs; back to queued when the box restarted under it */
  running: ['routing', 'failed', 'queued', 'cancelled'],
  /** results are being delivered */
  routing: ['done', 'failed', 'cancelled'],
  /** re-run (queued) or resend (routing) by an operator */
  done: ['queued', 'routing'],
  failed: ['queued', 'routing'],
  cancelled: ['queued'],
} as const satisfies Record<JobState, readonly JobState[]>

export const ACTIVE_STATES: readonly JobState[] = ['queued', 'running', 'routing']

export class InvalidTransitionError extends Error {
  override name = 'InvalidTransitionError'
  constructor(
    readonly jobId: string,
    readonly from: JobState,
    readonly to: JobState,
  ) {
    super(`job ${jobId} cannot move from ${from} to ${to}`)
  }
}

export function canMove(from: JobState, to: JobState): boolean {
  return (JOB_TRANSITIONS[from] as readonly JobState[]).includes(to)
}

// Move a job to a new state (in place), recording when and why; throws InvalidTransitionError.
export function moveJob(job: Job, to: JobState, reason: string, at = new Date()): Job {
  if (!canMove(job.state, to)) throw new InvalidTransitionError(job.id, job.state, to)
  job.history.push({ at: at.toISOString(), from: job.state, to, reason })
  job.state = to
  return job
}
