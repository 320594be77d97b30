/**
 * @module login-throttle
 * Failed logins, counted per client address and per user name in a sliding window: past the
 * limit, further attempts are refused (HTTP 429) until the window has passed.
 */

export interface ThrottleOptions {
  /** @defaultValue 5 failures per address */
  perAddress?: number
  /** @defaultValue 10 failures per user name */
  perUser?: number
  /** @defaultValue 15 minutes */
  windowMs?: number
}

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>()

  constructor(private readonly options: ThrottleOptions = {}) {}

  private recent(key: string, now: number): number[] {
    const window = this.options.windowMs ?? 15 * 60_000
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < window)
    this.failures.set(key, list)
    return list
  }

  // Seconds to wait before another attempt, or 0 when one is allowed.
  retryAfter(address: string, user: string, now = Date.now()): number {
    const window = this.options.windowMs ?? 15 * 60_000
    const byAddress = this.recent(`ip:${address}`, now)
    const byUser = this.recent(`user:${user}`, now)
    const blocked = [
      byAddress.length >= (this.options.perAddress ?? 5) ? byAddress[0]! : undefined,
      byUser.length >= (this.options.perUser ?? 10) ? byUser[0]! : undefined,
    ].filter((t): t is number => t !== undefined)
    if (blocked.length === 0) return 0
    return Math.ceil((Math.max(...blocked) + window - now) / 1000)
  }

  fail(address: string, user: string, now = Date.now()): void {
    this.recent(`ip:${address}`, now).push(now)
    this.recent(`user:${user}`, now).push(now)
  }

  succeed(address: string, user: string): void {
    this.failures.delete(`ip:${address}`)
    this.failures.delete(`user:${user}`)
  }
}
