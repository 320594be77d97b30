/**
 * @module restart-policy
 * When to restart a unit that exited, as data plus a pure function: exponential backoff, and
 * giving up when it restarted more than `maxRestarts` times within `windowSeconds`.
 */

export interface RestartPolicy {
  firstDelaySeconds: number
  factor: number
  maxDelaySeconds: number
  maxRestarts: number
  windowSeconds: number
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { firstDelaySeconds: 1, factor: 2, maxDelaySeconds: 60, maxRestarts: 5, windowSeconds: 300 }

export type RestartDecision = { action: 'restart'; delayMs: number } | { action: 'give-up'; reason: string }

// Decide after an exit at `nowMs`, given the times of earlier restarts (newest last).
export function decideRestart(restartTimesMs: number[], nowMs: number, policy: RestartPolicy): RestartDecision {
  const recent = restartTimesMs.filter((t) => nowMs - t < policy.windowSeconds * 1000)
  if (recent.length >= policy.maxRestarts) {
    return { action: 'give-up', reason: `${recent.length} restarts within ${policy.windowSeconds} s (limit ${policy.maxRestarts})` }
  }
  const delay = Math.min(policy.firstDelaySeconds * policy.factor ** recent.length, policy.maxDelaySeconds)
  return { action: 'restart', delayMs: Math.round(delay * 1000) }
}
