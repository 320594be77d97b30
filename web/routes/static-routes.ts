/**
 * @module static-routes
 * The page assets (CSS, JS, icon): a fixed list read once from web/static, served with an ETag.
 * Nothing else on disk is reachable through this route.
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Hono } from 'hono'
import type { WebEnv } from '../web-types.js'

const ASSETS: Record<string, string> = {
  'app.css': 'text/css; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
}

export function staticRoutes(folder: string): Hono<WebEnv> {
  const app = new Hono<WebEnv>()
  const files = new Map(
    Object.entries(ASSETS).map(([name, type]) => {
      const body = readFileSync(join(folder, name))
      return [name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` }]
    }),
  )
  app.get('/static/:name', (c) => {
    const file = files.get(c.req.param('name'))
    if (!file) return c.text('Not found.', 404)
    if (c.req.header('if-none-match') === file.etag) return c.body(null, 304)
    c.header('Content-Type', file.type)
    c.header('ETag', file.etag)
    c.header('Cache-Control', 'public, max-age=300')
    return c.body(new Uint8Array(file.body))
  })
  return app
}
