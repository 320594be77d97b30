/**
 * @module app
 * The web interface's Hono app: middleware in order (security headers, body limit, login,
 * CSRF), then the routes. Only wires.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { authenticate } from './middleware/authenticate.js'
import { csrfProtection } from './middleware/csrf.js'
import { securityHeaders } from './middleware/security-headers.js'
import { apiRoutes } from './routes/api-routes.js'
import { authRoutes } from './routes/auth-routes.js'
import { eventRoutes } from './routes/event-routes.js'
import { jobRoutes } from './routes/job-routes.js'
import { routingRoutes } from './routes/routing-routes.js'
import { setupRoutes } from './routes/setup-routes.js'
import { staticRoutes } from './routes/static-routes.js'
import { streamRoutes } from './routes/stream-routes.js'
import { systemRoutes } from './routes/system-routes.js'
import type { WebDeps, WebEnv } from './web-types.js'

export function createApp(deps: WebDeps, staticFolder: string): Hono<WebEnv> {
  const app = new Hono<WebEnv>()
  app.use(securityHeaders())
  app.use(
    bodyLimit({
      maxSize: 2 * 1024 * 1024,
      onError: (c) => (c.req.path.startsWith('/api/') ? c.json({ error: 'the request is larger than 2 MB' }, 413) : c.text('The request is larger than 2 MB.', 413)),
    }),
  )
  app.get('/healthz', (c) => c.json({ ok: true }))
  app.route('/', staticRoutes(staticFolder))
  app.use(authenticate(deps))
  app.use(csrfProtection())
  app.route('/', authRoutes(deps))
  app.route('/', jobRoutes(deps))
  app.route('/', eventRoutes(deps))
  app.route('/', streamRoutes(deps))
  app.route('/', routingRoutes(deps))
  app.route('/', setupRoutes(deps))
  app.route('/', systemRoutes(deps))
  app.route('/api/v1', apiRoutes(deps))
  app.notFound((c) => (c.req.path.startsWith('/api/') ? c.json({ error: `no such API route: ${c.req.method} ${c.req.path}` }, 404) : c.text('Not found.', 404)))
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse()
    // A body the runtime cannot parse (a broken multipart form) is the sender's mistake, not ours.
    if (error instanceof TypeError && /parse body|formdata|multipart/i.test(error.message)) {
      deps.logger.warn(`${c.req.method} ${c.req.path}: unreadable request body: ${error.message}`)
      return c.req.path.startsWith('/api/') ? c.json({ error: `the request body could not be read: ${error.message}` }, 400) : c.text(`The request body could not be read: ${error.message}`, 400)
    }
    deps.logger.error(`${c.req.method} ${c.req.path}: ${error.stack ?? error.message}`)
    return c.req.path.startsWith('/api/') ? c.json({ error: 'internal error; see web.log' }, 500) : c.text('Something went wrong; the details are in web.log.', 500)
  })
  return app
}
