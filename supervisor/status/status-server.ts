/**
 * @module status-server
 * monit's place, on 127.0.0.1 only: the status as JSON (`/status.json`) and as a page (`/`), the
 * health history, and the commands the web interface and the CLI send to the supervisor (the only
 * writer of jobs). Commands need the control token from `$MAGICKBOX_DATA/.control-token` (readable
 * by the box's user only) in `x-magickbox-token`; who asked goes in `x-magickbox-user`.
 */
import { timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { BoxStatus } from './box-status.js'
import { renderHtml } from './render-status.js'

export class CommandError extends Error {
  override name = 'CommandError'
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export interface ControlCommands {
  restartUnit(name: string, by: string): Promise<boolean>
  runRetention(): Promise<unknown>
  rerunJob(id: string, by: string): Promise<unknown>
  resendJob(id: string, all: boolean, by: string): Promise<unknown>
  cancelJob(id: string, by: string): Promise<unknown>
  deleteJob(id: string, by: string): Promise<unknown>
  reloadSettings(by: string): Promise<unknown>
}

export interface StatusServerDeps {
  port: number
  token: string
  status: () => Promise<BoxStatus>
  healthHistory: () => unknown
  commands: ControlCommands
}

function sameToken(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string' || given.length !== token.length) return false
  return timingSafeEqual(Buffer.from(given), Buffer.from(token))
}

export class StatusServer {
  private server: Server | undefined

  constructor(private readonly deps: StatusServerDeps) {}

  // The command a POST/DELETE path names, or undefined.
  private command(method: string, path: string, url: URL, by: string): (() => Promise<unknown>) | undefined {
    const c = this.deps.commands
    const unit = /^\/units\/([^/]+)\/restart$/.exec(path)
    if (method === 'POST' && unit) {
      const name = decodeURIComponent(unit[1]!)
      return async () => {
        if (!(await c.restartUnit(name, by))) throw new CommandError(404, `no unit named ${name}`)
        return { restarted: name }
      }
    }
    const job = /^\/jobs\/([^/]+)(?:\/(rerun|resend|cancel))?$/.exec(path)
    if (job) {
      const id = decodeURIComponent(job[1]!)
      if (method === 'POST' && job[2] === 'rerun') return () => c.rerunJob(id, by)
      if (method === 'POST' && job[2] === 'resend') return () => c.resendJob(id, url.searchParams.get('all') === '1', by)
      if (method === 'POST' && job[2] === 'cancel') return () => c.cancelJob(id, by)
      if (method === 'DELETE' && !job[2]) return () => c.deleteJob(id, by)
    }
    if (method === 'POST' && path === '/retention/run') return () => c.runRetention()
    if (method === 'POST' && path === '/settings/reload') return () => c.reloadSettings(by)
    return undefined
  }

  private async handle(request: IncomingMessage): Promise<{ status: number; type: string; body: string; headers?: Record<string, string> }> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const method = request.method ?? 'GET'
    const json = (status: number, value: unknown) => ({ status, type: 'application/json', body: JSON.stringify(value, null, 2) })
    if (method === 'GET' && url.pathname === '/status.json') return json(200, await this.deps.status())
    if (method === 'GET' && url.pathname === '/health/history.json') return json(200, this.deps.healthHistory())
    if (method === 'GET' && url.pathname === '/') return { status: 200, type: 'text/html; charset=utf-8', body: renderHtml(await this.deps.status()) }
    const by = String(request.headers['x-magickbox-user'] ?? 'the local status API').slice(0, 100)
    const command = this.command(method, url.pathname, url, by)
    if (!command) return json(404, { error: `no such page: ${method} ${url.pathname}` })
    if (!sameToken(request.headers['x-magickbox-token'], this.deps.token)) {
      return json(403, { error: 'commands need the control token (x-magickbox-token) from $MAGICKBOX_DATA/.control-token' })
    }
    try {
      return json(200, (await command()) ?? { ok: true })
    } catch (error) {
      if (error instanceof CommandError || (error as { status?: number }).status) return json((error as CommandError).status, { error: (error as Error).message })
      throw error
    }
  }

  start(): Promise<void> {
    const server = createServer((request, response) => {
      this.handle(request).then(
        (r) => {
          response.writeHead(r.status, { 'content-type': r.type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...r.headers })
          response.end(r.body)
        },
        (error: Error) => {
          response.writeHead(500, { 'content-type': 'application/json' })
          response.end(JSON.stringify({ error: error.message }))
        },
      )
    })
    this.server = server
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.deps.port, '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve()
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }
}
