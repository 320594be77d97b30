/**
 * @module backoff
 * Retry timing as data plus a pure function.
 */
export interface RetryPolicy {
  maxAttempts: number
  firstRetrySeconds: number
  factor: number
  maxDelaySeconds: number
}

// Seconds to wait after the given failed attempt (1 = the first attempt failed).
export function retryDelaySeconds(failedAttempts: number, policy: RetryPolicy): number {
  const delay = policy.firstRetrySeconds * policy.factor ** Math.max(0, failedAttempts - 1)
  return Math.min(delay, policy.maxDelaySeconds)
}

export function attemptsLeft(attempts: number, policy: RetryPolicy): boolean {
  return attempts < policy.maxAttempts
}
