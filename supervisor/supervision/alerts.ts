/**
 * @module alerts
 * Health alerts: raised and cleared by key, written to the supervisor log, listed in the status,
 * and, when a webhook URL is set, posted to it as JSON (`{"event": "raised"|"cleared", "alert": …}`).
 */
import type { Logger } from '../logging/logger.js'

export type AlertLevel = 'warning' | 'critical'

export interface Alert {
  key: string
  level: AlertLevel
  message: string
  raisedAt: string
}

export class AlertCenter {
  private readonly active = new Map<string, Alert>()

  constructor(
    private readonly logger: Logger,
    private readonly webhookUrl: () => string,
  ) {}

  list(): Alert[] {
    return [...this.active.values()]
  }

  // Raise (or update) an alert; logged and posted once per change of message.
  raise(key: string, level: AlertLevel, message: string): void {
    const existing = this.active.get(key)
    if (existing && existing.message === message && existing.level === level) return
    const alert: Alert = { key, level, message, raisedAt: existing?.raisedAt ?? new Date().toISOString() }
    this.active.set(key, alert)
    ;(level === 'critical' ? this.logger.error : this.logger.warn)(`ALERT ${key}: ${message}`)
    void this.post('raised', alert)
  }

  clear(key: string, message: string): void {
    const alert = this.active.get(key)
    if (!alert) return
    this.active.delete(key)
    this.logger.info(`alert ${key} cleared: ${message}`)
    void this.post('cleared', { ...alert, message })
  }

  private async post(event: 'raised' | 'cleared', alert: Alert): Promise<void> {
    const url = this.webhookUrl()
    if (!url) return
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event, alert, box: process.env.HOSTNAME ?? '' }),
        signal: AbortSignal.timeout(5000),
      })
      if (!response.ok) this.logger.warn(`alert webhook answered HTTP ${response.status}`)
    } catch (error) {
      this.logger.warn(`alert webhook ${webhookOrigin(url)} failed: ${(error as Error).message}`)
    }
  }
}

// Where a webhook goes, without the path or query that often hold its secret (Slack, Teams, ntfy tokens).
export function webhookOrigin(url: string): string {
  try {
    return `${new URL(url).origin}/…`
  } catch {
    return '(an unparsable URL)'
  }
}
