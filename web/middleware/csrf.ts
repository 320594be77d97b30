/**
 * @module csrf
 * Every state-changing request from a browser session carries the session's CSRF token (form
 * field `_csrf`, or header `x-csrf-token` from scripts) and, when the browser says where it
 * comes from, an Origin of this site. Token (script) requests carry no cookies and need no CSRF
 * token. The login form is guarded by the Origin check.
 */
import type { MiddlewareHandler } from 'hono'
import { timingSafeEqual } from 'node:crypto'
import type { WebEnv } from '../web-types.js'

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS'])

function equal(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))
}

export function csrfProtection(): MiddlewareHandler<WebEnv> {
  return async function checkCsrf(c, next) {
    if (SAFE.has(c.req.method)) return next()
    const refuse = (why: string) => (c.req.path.startsWith('/api/') ? c.json({ error: why }, 403) : c.text(why, 403))
    const origin = c.req.header('origin')
    if (origin && origin !== 'null') {
      const host = c.req.header('host')
      let originHost = ''
      try {
        originHost = new URL(origin).host
      } catch {
        return refuse('the request comes from another site (bad Origin)')
      }
      if (originHost !== host) return refuse('the request comes from another site (Origin does not match)')
    } else if (origin === 'null') return refuse('the request comes from an opaque origin')
    const auth = c.get('auth')
    if (!auth?.csrf) return next() // login form (no session yet) or API token
    let given = c.req.header('x-csrf-token') ?? ''
    if (!given) {
      const type = c.req.header('content-type') ?? ''
      if (type.includes('application/x-www-form-urlencoded') || type.includes('multipart/form-data')) {
        const body = await c.req.parseBody()
        given = typeof body._csrf === 'string' ? body._csrf : ''
      }
    }
    if (!given || !equal(given, auth.csrf)) return refuse('the form has expired or did not come from this site (CSRF token missing or wrong); reload the page and try again')
    return next()
  }
}
