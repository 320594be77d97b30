/**
 * Login to the web interface: every route needs it (but the login page, assets and /healthz),
 * sessions are fresh at each login and HttpOnly SameSite=Strict, failed attempts are limited, a
 * generated password must be changed first, scripts use API tokens.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { UserStore } from '../../web/auth/user-store.js'
import { ADMIN, FRESH, JOB_ID, login, VIEWER, webFixture, type WebFixture } from './web-fixture.js'

const PAGES = ['/', '/jobs/' + JOB_ID, '/streams', '/routing', '/setup', '/system', '/studies', '/password', `/jobs/${JOB_ID}/input.zip`, '/events', '/fragments/jobs']
const API = ['/api/v1/jobs', `/api/v1/jobs/${JOB_ID}`, '/api/v1/streams', '/api/v1/routing', '/api/v1/settings', '/api/v1/system', '/api/v1/studies', '/api/v1/openapi.json']

describe('web login', () => {
  let f: WebFixture
  before(async () => (f = await webFixture()))
  after(async () => f.remove())

  it('sends every page to the login page without a session', async () => {
    for (const path of PAGES) {
      const r = await f.app.request(path)
      assert.equal(r.status, 302, path)
      assert.match(r.headers.get('location') ?? '', /^\/login/, path)
    }
  })

  it('answers every API route 401 without a session or token', async () => {
    for (const path of API) assert.equal((await f.app.request(path)).status, 401, path)
    assert.equal((await f.app.request(`/api/v1/jobs/${JOB_ID}/rerun`, { method: 'POST' })).status, 401)
  })

  it('serves the login page, the assets and /healthz without a session', async () => {
    assert.equal((await f.app.request('/login')).status, 200)
    assert.equal((await f.app.request('/static/app.css')).status, 200)
    assert.equal((await f.app.request('/static/app.js')).status, 200)
    assert.deepEqual(await (await f.app.request('/healthz')).json(), { ok: true })
  })

  it('sets an HttpOnly, SameSite=Strict session cookie, new at every login', async () => {
    const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ user: ADMIN.user, password: ADMIN.password }) }
    const first = await f.app.request('/login', form)
    const second = await f.app.request('/login', { ...form, body: new URLSearchParams({ user: ADMIN.user, password: ADMIN.password }) })
    const cookie = first.headers.get('set-cookie') ?? ''
    assert.match(cookie, /mb_session=[^;]{40,}/)
    assert.match(cookie, /HttpOnly/)
    assert.match(cookie, /SameSite=Strict/)
    assert.notEqual(cookie.split(';')[0], (second.headers.get('set-cookie') ?? '').split(';')[0])
  })

  it('refuses a wrong password without saying which part was wrong', async () => {
    const r = await f.app.request('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ user: ADMIN.user, password: 'nope' }) })
    assert.equal(r.status, 401)
    assert.match(await r.text(), /User or password is wrong/)
  })

  it('limits failed logins: the sixth from one address within the window gets 429 with Retry-After', async () => {
    const attempt = () =>
      f.app.request('/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ user: 'mallory', password: 'guess' }) }, { incoming: { socket: { remoteAddress: '192.0.2.9' } } } as never)
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) statuses.push((await attempt()).status)
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429])
    const blocked = await attempt()
    assert.ok(Number(blocked.headers.get('retry-after')) > 0)
  })

  it('sends a user with a generated password to /password until it is changed', async () => {
    const fresh = await login(f.app, FRESH)
    const page = await fresh.get('/')
    assert.equal(page.status, 302)
    assert.equal(page.headers.get('location'), '/password')
    assert.equal((await fresh.get('/api/v1/jobs')).status, 403)
    const same = await fresh.post('/password', { current: FRESH.password, password: FRESH.password, again: FRESH.password })
    assert.equal(same.status, 400)
    const changed = await fresh.post('/password', { current: FRESH.password, password: 'a brand new secret', again: 'a brand new secret' })
    assert.equal(changed.status, 303)
    assert.equal((await fresh.get('/')).status, 200)
  })

  it('accepts an API token for scripts, and a viewer token cannot do what an admin can', async () => {
    const users = new UserStore(`${f.dataDir}/users.json`)
    const adminToken = await users.createToken(ADMIN.user, 'test')
    const viewerToken = await users.createToken(VIEWER.user, 'test')
    const as = (token: string, path: string, init: RequestInit = {}) => f.app.request(path, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers ?? {}) } })
    assert.equal((await as(adminToken, '/api/v1/jobs')).status, 200)
    assert.equal((await as('mbx_000000000000_' + 'x'.repeat(32), '/api/v1/jobs')).status, 401)
    const json = (method: string, body: unknown) => ({ method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
    for (const [path, init] of [
      [`/api/v1/jobs/${JOB_ID}/rerun`, { method: 'POST' }], [`/api/v1/jobs/${JOB_ID}/resend`, { method: 'POST' }],
      [`/api/v1/jobs/${JOB_ID}/cancel`, { method: 'POST' }], [`/api/v1/jobs/${JOB_ID}`, { method: 'DELETE' }],
      ['/api/v1/streams/COPY/enabled', json('PUT', { enabled: false })], ['/api/v1/routing', json('PUT', { routing: [] })],
      ['/api/v1/routing/echo', json('POST', { host: '127.0.0.1', port: 22, calledAE: 'PROBE' })], ['/api/v1/settings', json('PUT', {})],
      ['/api/v1/system/units/receiver/restart', { method: 'POST' }], ['/api/v1/studies/1.2.3.4', { method: 'DELETE' }],
    ] as const) {
      assert.equal((await as(viewerToken, path, init)).status, 403, `${init.method} ${path}`)
    }
    assert.equal((await as(adminToken, `/api/v1/jobs/${JOB_ID}/rerun`, { method: 'POST' })).status, 200)
    assert.ok(f.calls.includes(`rerun ${JOB_ID} by ${ADMIN.user}`))
  })

  it('ends the session at logout', async () => {
    const b = await login(f.app, ADMIN)
    assert.equal((await b.post('/logout', {})).status, 303)
    assert.equal((await b.get('/')).status, 302)
  })
})
