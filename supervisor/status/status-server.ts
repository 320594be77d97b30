/**
 * @module status-server
 * monit's place: the status as JSON (`/status.json`) and as a page (`/`) on 127.0.0.1 only, plus
 * `POST /units/<name>/restart` and `POST /retention/run` for the CLI.
 */
import { createServer, type Server } from 'node:http'
import type { BoxStatus } from './box-status.js'
import { renderHtml } from './render-status.js'

export interface StatusServerDeps {
  port: number
  status: () => Promise<BoxStatus>
  restartUnit: (name: string) => Promise<boolean>
  runRetention: () => Promise<unknown>
}

export class StatusServer {
  private server: Server | undefined

  constructor(private readonly deps: StatusServerDeps) {}

  start(): Promise<void> {
    const server = createServer((request, response) => {
      const send = (code: number, type: string, body: string) => {
        response.writeHead(code, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' })
        response.end(body)
      }
      const url = new URL(request.url ?? '/', 'http://127.0.0.1')
      void (async () => {
        if (request.method === 'GET' && url.pathname === '/status.json') return send(200, 'application/json', JSON.stringify(await this.deps.status(), null, 2))
        if (request.method === 'GET' && url.pathname === '/') return send(200, 'text/html; charset=utf-8', renderHtml(await this.deps.status()))
        const restart = /^\/units\/([^/]+)\/restart$/.exec(url.pathname)
        if (request.method === 'POST' && restart) {
          const name = decodeURIComponent(restart[1]!)
          if (!(await this.deps.restartUnit(name))) return send(404, 'application/json', JSON.stringify({ error: `no unit named ${name}` }))
          if ((request.headers.accept ?? '').includes('text/html')) {
            response.writeHead(303, { location: '/' })
            return response.end()
          }
          return send(200, 'application/json', JSON.stringify({ restarted: name }))
        }
        if (request.method === 'POST' && url.pathname === '/retention/run') return send(200, 'application/json', JSON.stringify(await this.deps.runRetention()))
        return send(404, 'application/json', JSON.stringify({ error: `no such page: ${request.method} ${url.pathname}` }))
      })().catch((error: Error) => send(500, 'application/json', JSON.stringify({ error: error.message })))
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
