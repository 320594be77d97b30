/**
 * @module auth-routes
 * /login, /logout, /password: sessions with a new id at each login, rate-limited attempts, and
 * the forced change of a generated password.
 */
import { Hono, type Context } from 'hono'
import { deleteCookie, setCookie } from 'hono/cookie'
import { getConnInfo } from '@hono/node-server/conninfo'
import { passwordProblem } from '../auth/password-hash.js'
import { SESSION_COOKIE } from '../auth/sessions.js'
import { loginPage, passwordPage } from '../views/login-view.js'
import type { WebDeps, WebEnv } from '../web-types.js'

// The client's address (unknown when there is no socket, as in tests through app.request()).
function clientAddress(c: Context<WebEnv>): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown'
  } catch {
    return 'unknown'
  }
}

// A local path to go to after login (never another site).
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[^\\\s]*$/.test(next) ? next : '/'
}

export function authRoutes(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>()

  app.get('/login', (c) => c.html(loginPage(safeNext(c.req.query('next')))))

  app.post('/login', async (c) => {
    const body = await c.req.parseBody()
    const user = String(body.user ?? '').slice(0, 64)
    const password = String(body.password ?? '')
    const next = safeNext(body.next)
    const address = clientAddress(c)
    // A name that is no user's is not written to the audit log: people type their password
    // into the user field, and the log would keep it.
    const named = async () => ((await deps.users.find(user)) ? `"${user}"` : 'a user name that does not exist')
    const wait = deps.throttle.retryAfter(address, user)
    if (wait > 0) {
      deps.audit.warn(`login refused for ${await named()} from ${address}: too many failed attempts`)
      c.header('Retry-After', String(wait))
      return c.html(loginPage(next, `Too many failed attempts. Try again in ${Math.ceil(wait / 60)} minute(s).`), 429)
    }
    const record = await deps.users.check(user, password)
    if (!record) {
      deps.throttle.fail(address, user)
      deps.audit.warn(`failed login for ${await named()} from ${address}`)
      return c.html(loginPage(next, 'User or password is wrong.'), 401)
    }
    deps.throttle.succeed(address, user)
    const session = deps.sessions.create(record.name, record.role, record.mustChangePassword)
    setCookie(c, SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'Strict', path: '/', secure: c.req.url.startsWith('https:') })
    deps.audit.info(`${record.name} logged in from ${address}`)
    return c.redirect(record.mustChangePassword ? '/password' : next, 303)
  })

  app.post('/logout', (c) => {
    const auth = c.get('auth')
    if (auth?.sessionId) deps.sessions.destroy(auth.sessionId)
    deleteCookie(c, SESSION_COOKIE, { path: '/' })
    if (auth) deps.audit.info(`${auth.user} logged out`)
    return c.redirect('/login', 303)
  })

  app.get('/password', async (c) => {
    const auth = c.get('auth')
    const forced = deps.sessions.get(auth.sessionId)?.mustChangePassword ?? false
    return c.html(passwordPage(auth, forced))
  })

  app.post('/password', async (c) => {
    const auth = c.get('auth')
    const session = deps.sessions.get(auth.sessionId)
    const forced = session?.mustChangePassword ?? false
    const body = await c.req.parseBody()
    const current = String(body.current ?? '')
    const password = String(body.password ?? '')
    if (!(await deps.users.check(auth.user, current))) return c.html(passwordPage(auth, forced, 'The current password is wrong.'), 400)
    if (password !== String(body.again ?? '')) return c.html(passwordPage(auth, forced, 'The two new passwords differ.'), 400)
    const problem = passwordProblem(password) ?? (password === current ? 'the new password must differ from the current one' : undefined)
    if (problem) return c.html(passwordPage(auth, forced, `${problem[0]!.toUpperCase()}${problem.slice(1)}.`), 400)
    await deps.users.setPassword(auth.user, password, { mustChange: false })
    if (session) session.mustChangePassword = false
    deps.sessions.destroyUser(auth.user, auth.sessionId)
    deps.audit.info(`${auth.user} changed their password`)
    return forced ? c.redirect('/', 303) : c.html(passwordPage(auth, false, undefined, true))
  })

  return app
}
