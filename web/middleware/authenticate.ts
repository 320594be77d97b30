/**
 * @module authenticate
 * Every page and API route needs a login, except the login page, static assets and /healthz:
 * a session cookie, or an API token (`Authorization: Bearer mbx_…`). A user who must change the
 * password can only reach /password and /logout. Pages without a login redirect to /login;
 * the API answers 401.
 */
import type { MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import { SESSION_COOKIE } from '../auth/sessions.js'
import type { WebDeps, WebEnv } from '../web-types.js'

const PUBLIC = [/^\/login$/, /^\/healthz$/, /^\/static\//]

export function authenticate(deps: WebDeps): MiddlewareHandler<WebEnv> {
  return async function authenticateRequest(c, next) {
    const path = c.req.path
    if (PUBLIC.some((p) => p.test(path))) return next()
    const isApi = path.startsWith('/api/')
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1]
    if (bearer) {
      const user = await deps.users.userForToken(bearer)
      if (!user) return c.json({ error: 'the API token is not valid' }, 401)
      c.set('auth', { user: user.name, role: user.role, csrf: undefined, sessionId: undefined })
      return next()
    }
    const session = deps.sessions.get(getCookie(c, SESSION_COOKIE))
    if (!session) {
      if (isApi) return c.json({ error: 'log in first (session cookie) or send an API token' }, 401)
      const target = c.req.method === 'GET' ? `/login?next=${encodeURIComponent(c.req.url.replace(/^https?:\/\/[^/]+/, ''))}` : '/login'
      return c.redirect(target, 302)
    }
    c.set('auth', { user: session.user, role: session.role, csrf: session.csrf, sessionId: session.id })
    if (session.mustChangePassword && path !== '/password' && path !== '/logout') {
      return isApi ? c.json({ error: 'change your password first (/password)' }, 403) : c.redirect('/password', 302)
    }
    return next()
  }
}

// Only admins: others get 403 (a page says so, the API answers JSON).
export function requireAdmin(): MiddlewareHandler<WebEnv> {
  return async function requireAdminRole(c, next) {
    if (c.get('auth')?.role !== 'admin') {
      const message = 'this needs the admin role'
      return c.req.path.startsWith('/api/') ? c.json({ error: message }, 403) : c.text(message, 403)
    }
    return next()
  }
}
