/**
 * The web interface under attack: CSRF, roles, DICOM text as markup, paths out of a job's folder,
 * oversized requests, and the security headers.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { execa } from 'execa'
import { ADMIN, HOSTILE, JOB_ID, login, VIEWER, webFixture, type Browser, type WebFixture } from './web-fixture.js'

describe('web security', () => {
  let f: WebFixture
  let admin: Browser
  let viewer: Browser
  before(async () => {
    f = await webFixture()
    admin = await login(f.app, ADMIN)
    viewer = await login(f.app, VIEWER)
  })
  after(async () => f.remove())

  it('refuses a state-changing request without the CSRF token, with a wrong one, or from another origin', async () => {
    const post = (form: Record<string, string>, headers: Record<string, string> = {}) =>
      f.app.request(`/jobs/${JOB_ID}/rerun`, { method: 'POST', body: new URLSearchParams(form), headers: { cookie: admin.cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers } })
    assert.equal((await post({})).status, 403)
    assert.equal((await post({ _csrf: 'wrong' })).status, 403)
    assert.equal((await post({ _csrf: admin.csrf }, { origin: 'https://evil.example' })).status, 403)
    assert.equal(f.calls.length, 0, 'nothing reached the supervisor')
    assert.equal((await post({ _csrf: admin.csrf })).status, 303)
    assert.deepEqual(f.calls, [`rerun ${JOB_ID} by ${ADMIN.user}`])
  })

  it('lets a viewer do nothing an admin can', async () => {
    const before = f.calls.length
    for (const [path, form] of [
      [`/jobs/${JOB_ID}/rerun`, {}], [`/jobs/${JOB_ID}/resend`, {}], [`/jobs/${JOB_ID}/cancel`, {}], [`/jobs/${JOB_ID}/delete`, {}],
      ['/routing', { routing: '{"routing": []}' }], ['/setup', {}], ['/streams/COPY/enabled', { enabled: '0' }],
      ['/system/units/receiver/restart', {}], ['/studies/delete', { study: '1.2.3.4' }],
      ['/routing/echo', { host: '127.0.0.1', port: '22', calledAE: 'PROBE' }],
    ] as const) {
      assert.equal((await viewer.post(path, form)).status, 403, path)
    }
    assert.equal((await viewer.get('/setup')).status, 403)
    assert.equal(f.calls.length, before)
    assert.doesNotMatch(await (await viewer.get(`/jobs/${JOB_ID}`)).text(), /Re-run|Delete/)
  })

  it('shows DICOM text as text, never as markup, on every page that shows it', async () => {
    for (const path of ['/', `/jobs/${JOB_ID}`, '/studies', '/streams', '/fragments/jobs', '/?q=%3Cscript%3E']) {
      const text = await (await admin.get(path)).text()
      assert.doesNotMatch(text, /<script>alert/, path)
      assert.match(text, /&lt;script&gt;alert/, path)
    }
  })

  it('never serves a file outside a job folder: ids, encoded dots, symlinks', async () => {
    for (const path of ['/jobs/..%2F..%2Fetc/input.zip', '/jobs/%2e%2e/input.zip', '/jobs/../../etc/passwd', '/api/v1/jobs/..%2Fsettings.json', '/static/..%2F..%2Fpackage.json', '/static/app.css%00.js', '/api/v1/jobs/..%2F..%2Flogs/log', '/jobs/..%2Flogs/log/events']) {
      const r = await admin.get(path)
      const body = await r.text()
      assert.ok(r.status === 404 || r.status === 400 || (path.endsWith('/events') && !/event: log/.test(body)), `${path} → ${r.status}`)
      assert.doesNotMatch(body, /root:x:0|"dependencies"|INFO/)
    }
    const zip = Buffer.from(await (await admin.get(`/jobs/${JOB_ID}/output.zip`)).arrayBuffer())
    const file = join(f.dataDir, 'out.zip')
    await (await import('node:fs/promises')).writeFile(file, zip)
    const { stdout } = await execa('/usr/bin/python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', file])
    assert.deepEqual(stdout.split('\n'), [`${JOB_ID}-output/sub/result.dcm`], 'the symlink to /etc/passwd is not followed')
  })

  it('answers a malformed form body with 400 and a message, never a 500', async () => {
    for (const [type, body] of [
      ['multipart/form-data; boundary=zzz', '--zzz\r\nContent-Disposition: form-data; name="routing"\r\n\r\nunterminated'],
      ['multipart/form-data', 'no boundary at all'],
    ] as const) {
      for (const path of ['/routing', '/setup', '/login', '/studies/delete', '/streams/COPY/enabled', '/password']) {
        const r = await f.app.request(path, { method: 'POST', body, headers: { cookie: admin.cookie, 'content-type': type, 'x-csrf-token': admin.csrf } })
        assert.equal(r.status, 400, `${path} with ${type}`)
        assert.match(await r.text(), /request body could not be read/)
      }
    }
  })

  it('answers an oversized request with 413 and a message', async () => {
    const r = await admin.post('/routing', { routing: 'x'.repeat(3 * 1024 * 1024) })
    assert.equal(r.status, 413)
    assert.match(await r.text(), /larger than 2 MB/)
  })

  it('sends the security headers: CSP without unsafe-inline, no framing, same-origin referrer, no caching', async () => {
    const r = await admin.get('/')
    const csp = r.headers.get('content-security-policy') ?? ''
    assert.match(csp, /default-src 'self'/)
    assert.match(csp, /script-src 'self'/)
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/)
    assert.equal(r.headers.get('x-frame-options'), 'DENY')
    assert.equal(r.headers.get('referrer-policy'), 'same-origin')
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff')
    assert.equal(r.headers.get('cache-control'), 'no-store')
    const html = await r.text()
    assert.doesNotMatch(html, /<script>[^<]/, 'no inline script')
    assert.doesNotMatch(html, / style="/, 'no inline style')
  })

  it('does not keep a session id planted before login (no session fixation)', async () => {
    const planted = 'mb_session=attacker-chosen-session-id-0000000000'
    const response = await f.app.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ user: ADMIN.user, password: ADMIN.password, next: '/' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: planted },
    })
    const issued = (response.headers.get('set-cookie') ?? '').split(';')[0]!
    assert.match(issued, /^mb_session=/)
    assert.notEqual(issued, planted, 'login issues a fresh session id')
    assert.equal((await f.app.request('/', { headers: { cookie: planted } })).status, 302, 'the planted id is not logged in')
    assert.equal((await f.app.request('/', { headers: { cookie: issued } })).status, 200)
  })

  it('writes CR/LF in text from a request as escapes, so nobody can forge a line in the audit log', async () => {
    const forged = `mallory\r\n${new Date().toISOString()} INFO  audit: ${ADMIN.user} deleted study 1.2.3`
    await f.app.request('/login', {
      method: 'POST',
      body: new URLSearchParams({ user: forged, password: 'wrong', next: '/' }),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '198.51.100.7' },
    })
    await admin.post('/routing/echo', { host: '127.0.0.1', port: '1', calledAE: forged })
    const lines = (await readFile(join(f.dataDir, 'logs', 'audit.log'), 'utf8')).trimEnd().split('\n')
    for (const line of lines) assert.match(line, /^\d{4}-\d\d-\d\dT[\d:.]+Z (INFO |WARN |ERROR|DEBUG) audit: /, `one event per line: ${line}`)
    assert.ok(lines.some((l) => l.includes('failed login for a user name that does not exist from ')), 'the login attempt is logged, without the name')
    assert.ok(lines.some((l) => l.includes('tested mallory\\r\\n')), 'the C-ECHO target is logged with CR/LF escaped')
    assert.ok(!lines.some((l) => /audit: alice deleted study 1\.2\.3$/.test(l) && !l.includes('mallory')), 'no forged line')
  })

  it('writes who did what to the audit log, and no password', async () => {
    const audit = await readFile(join(f.dataDir, 'logs', 'audit.log'), 'utf8')
    assert.match(audit, new RegExp(`${ADMIN.user} logged in`))
    assert.match(audit, new RegExp(`${ADMIN.user} asked to rerun job ${JOB_ID}`))
    assert.doesNotMatch(audit, new RegExp(ADMIN.password))
    assert.doesNotMatch(audit, new RegExp(VIEWER.password))
  })
})
