/**
 * @module supervisor-client
 * The web interface's line to the supervisor (127.0.0.1 status API): status, health history,
 * and commands (sent with the control token and the name of the user who asked).
 */
import { readFile } from 'node:fs/promises'
import type { BoxStatus } from '../supervisor/status/box-status.js'
import type { HealthSample } from '../supervisor/health/health-monitor.js'

export class SupervisorError extends Error {
  override name = 'SupervisorError'
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export class SupervisorClient {
  constructor(
    private readonly port: number,
    private readonly tokenFile: string,
  ) {}

  private async call(method: string, path: string, user?: string): Promise<unknown> {
    const token = (await readFile(this.tokenFile, 'utf8').catch(() => '')).trim()
    let response: Response
    try {
      response = await fetch(`http://127.0.0.1:${this.port}${path}`, {
        method,
        headers: { 'x-magickbox-token': token, ...(user ? { 'x-magickbox-user': user } : {}) },
        signal: AbortSignal.timeout(60_000),
      })
    } catch (error) {
      throw new SupervisorError(503, `the supervisor does not answer: ${(error as Error).message}`)
    }
    const body = (await response.json().catch(() => ({}))) as { error?: string }
    if (!response.ok) throw new SupervisorError(response.status, body.error ?? response.statusText)
    return body
  }

  status(): Promise<BoxStatus> {
    return this.call('GET', '/status.json') as Promise<BoxStatus>
  }

  history(): Promise<HealthSample[]> {
    return this.call('GET', '/health/history.json') as Promise<HealthSample[]>
  }

  restartUnit(name: string, user: string): Promise<unknown> {
    return this.call('POST', `/units/${encodeURIComponent(name)}/restart`, user)
  }

  rerun(id: string, user: string): Promise<unknown> {
    return this.call('POST', `/jobs/${encodeURIComponent(id)}/rerun`, user)
  }

  resend(id: string, all: boolean, user: string): Promise<unknown> {
    return this.call('POST', `/jobs/${encodeURIComponent(id)}/resend${all ? '?all=1' : ''}`, user)
  }

  cancel(id: string, user: string): Promise<unknown> {
    return this.call('POST', `/jobs/${encodeURIComponent(id)}/cancel`, user)
  }

  deleteJob(id: string, user: string): Promise<unknown> {
    return this.call('DELETE', `/jobs/${encodeURIComponent(id)}`, user)
  }

  reloadSettings(user: string): Promise<{ changed: string[]; needRestart: string[] }> {
    return this.call('POST', '/settings/reload', user) as Promise<{ changed: string[]; needRestart: string[] }>
  }
}
