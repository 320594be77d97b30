/**
 * @module event-routes
 * Server-sent events: `/events` says when any job changed (the pages then fetch their live
 * fragments), `/jobs/:id/log/events` streams what is appended to a job's processing.log.
 */
import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { WebDeps, WebEnv } from '../web-types.js'

const TICK_MS = 1000
const MAX_MS = 30 * 60_000

export function eventRoutes(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>()

  app.get('/events', (c) =>
    streamSSE(c, async (stream) => {
      let last = deps.jobs.stamp()
      const started = Date.now()
      await stream.writeSSE({ event: 'hello', data: String(last) })
      while (!stream.aborted && Date.now() - started < MAX_MS) {
        await stream.sleep(TICK_MS)
        const now = deps.jobs.stamp()
        if (now !== last) {
          last = now
          await stream.writeSSE({ event: 'jobs', data: String(now) })
        }
      }
    }),
  )

  app.get('/jobs/:id/log/events', (c) =>
    streamSSE(c, async (stream) => {
      const id = c.req.param('id')
      let offset = Number(c.req.query('offset') ?? 0) || 0
      const started = Date.now()
      while (!stream.aborted && Date.now() - started < MAX_MS) {
        const chunk = await deps.files.log(id, offset, 64 * 1024)
        if (chunk.size > offset) {
          await stream.writeSSE({ event: 'log', data: JSON.stringify({ text: chunk.text, offset: chunk.size }) })
          offset = chunk.size
        }
        const job = await deps.files.job(id)
        if (!job || !['queued', 'running', 'routing'].includes(job.state)) {
          await stream.writeSSE({ event: 'end', data: job?.state ?? 'gone' })
          return
        }
        await stream.sleep(TICK_MS / 2)
      }
    }),
  )

  return app
}
