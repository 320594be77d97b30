/**
 * The JSON API, route by route with app.request(): what each answers for a script with an admin
 * token, the errors it gives for bad input, the session-and-CSRF path the pages' scripts use, and
 * the page routes the other web tests do not reach. Every route here is in the OpenAPI document.
 */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { UserStore } from '../../web/auth/user-store.js'
import { ADMIN, JOB_ID, login, webFixture, type Browser, type WebFixture } from './web-fixture.js'

const ROUTING = JSON.stringify({ routing: [{ name: 'to-pacs', AETitleIn: 'COPY', send: [{ success: { IP: '127.0.0.1', PORT: 11112, AETitleTo: 'PACS' } }] }] })

describe('the JSON API', () => {
  let f: WebFixture
  let token: string
  let admin: Browser
  const api = (path: string, init: { method?: string; json?: unknown; body?: string } = {}) =>
    f.app.request(`/api/v1${path}`, {
      method: init.method ?? 'GET',
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
      headers: { authorization: `Bearer ${token}`, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
    })

  before(async () => {
    f = await webFixture()
    token = await new UserStore(join(f.dataDir, 'users.json')).createToken(ADMIN.user, 'api test')
    admin = await login(f.app, ADMIN)
  })
  after(() => f?.remove())

  it('documents every route it serves in openapi.json', async () => {
    const doc = (await (await api('/openapi.json')).json()) as { paths: Record<string, unknown> }
    for (const path of ['/jobs', '/jobs/{id}', '/jobs/{id}/log', '/jobs/{id}/deliveries/{delivery}', '/jobs/{id}/input.zip', '/jobs/{id}/output.zip', '/jobs/{id}/rerun', '/jobs/{id}/resend', '/jobs/{id}/cancel', '/streams', '/streams/{ae}/enabled', '/routing', '/routing/test', '/routing/echo', '/settings', '/routing/log', '/system', '/system/units/{name}/restart', '/studies', '/studies/{uid}', '/heatmap']) {
      assert.ok(doc.paths[path], `${path} is documented`)
    }
  })

  it('lists jobs, reads one, its log from an offset, its deliveries, and answers 404 for a job that does not exist', async () => {
    const page = (await (await api('/jobs?limit=1')).json()) as { jobs: { id: string }[]; next?: string }
    assert.equal(page.jobs.length, 1)
    assert.ok(page.next, 'a cursor to the next page')
    assert.equal(((await (await api(`/jobs/${JOB_ID}`)).json()) as { id: string }).id, JOB_ID)
    assert.equal((await api('/jobs/20991231-000000-000000')).status, 404)
    const log = await api(`/jobs/${JOB_ID}/log?offset=9`)
    assert.equal(log.headers.get('x-log-size'), String('line one <script>alert("x")</script>\nline two\n'.length))
    assert.match(await log.text(), /line two/)
    assert.deepEqual(await (await api(`/jobs/${JOB_ID}/deliveries/d1`)).json(), { acked: [], failures: [] })
    assert.deepEqual(await (await api(`/jobs/${JOB_ID}/deliveries/..%2Fjob`)).json(), { acked: [], failures: [] }, 'a delivery id is a d and digits')
  })

  it('streams a job folder as a zip of its regular files', async () => {
    const response = await api(`/jobs/${JOB_ID}/input.zip`)
    assert.equal(response.headers.get('content-type'), 'application/zip')
    const zip = Buffer.from(await response.arrayBuffer())
    assert.equal(zip.subarray(0, 2).toString('latin1'), 'PK')
    for (const name of [`${JOB_ID}-input/a.dcm`, `${JOB_ID}-input/b.dcm`, 'input bytes A', 'input bytes B']) assert.ok(zip.includes(name), name)
    assert.equal((await api('/jobs/20991231-000000-000000/output.zip')).status, 404)
  })

  it('passes job commands to the supervisor with the user who asked', async () => {
    const before = f.calls.length
    assert.equal((await api(`/jobs/${JOB_ID}/rerun`, { method: 'POST' })).status, 200)
    assert.equal((await api(`/jobs/${JOB_ID}/resend?all=1`, { method: 'POST' })).status, 200)
    assert.equal((await api(`/jobs/${JOB_ID}/cancel`, { method: 'POST' })).status, 200)
    assert.equal((await api(`/jobs/${JOB_ID}`, { method: 'DELETE' })).status, 200)
    assert.deepEqual(f.calls.slice(before), [`rerun ${JOB_ID} by ${ADMIN.user}`, `resend ${JOB_ID} all=true by ${ADMIN.user}`, `cancel ${JOB_ID} by ${ADMIN.user}`, `delete ${JOB_ID} by ${ADMIN.user}`])
  })

  it('lists streams and switches one off and on by rewriting its info.json, refusing bad bodies and unknown AE titles', async () => {
    const streams = (await (await api('/streams')).json()) as { definition?: { aeTitle: string } }[]
    assert.deepEqual(streams.map((s) => s.definition?.aeTitle), ['COPY'])
    const info = join(f.dataDir, '..', 'streams', 'COPY', 'info.json')
    assert.deepEqual(await (await api('/streams/COPY/enabled', { method: 'PUT', json: { enabled: false } })).json(), { aeTitle: 'COPY', enabled: false })
    assert.equal(JSON.parse(await readFile(info, 'utf8')).enabled, false)
    assert.equal((await api('/streams/COPY/enabled', { method: 'PUT', json: { enabled: true } })).status, 200)
    assert.equal(JSON.parse(await readFile(info, 'utf8')).enabled, true)
    assert.equal((await api('/streams/COPY/enabled', { method: 'PUT', json: { enabled: 'yes' } })).status, 400)
    assert.equal((await api('/streams/NOSUCH/enabled', { method: 'PUT', json: { enabled: false } })).status, 404)
  })

  it('reads, checks, saves and tests routing.json, and leaves the file alone when it is invalid', async () => {
    assert.equal((await api('/routing')).status, 404, 'no routing.json yet')
    assert.equal((await api('/routing', { method: 'PUT', body: ROUTING })).status, 200)
    assert.equal(await (await api('/routing')).text(), `${ROUTING}\n`)
    const bad = await api('/routing', { method: 'PUT', body: '{"routing": [{"name": "x", "sendTo": []}]}' })
    assert.equal(bad.status, 400)
    assert.ok(((await bad.json()) as { problems: string[] }).problems.length > 0)
    assert.equal(await (await api('/routing')).text(), `${ROUTING}\n`, 'unchanged')
    type Result = { decisions: { rule: string; destination: { calledAE: string; port: number } }[]; trace: string[] }
    const tested = (await (await api('/routing/test', { method: 'POST', json: { calledAE: 'COPY', callingAE: 'CT1', outcome: 'success' } })).json()) as Result
    assert.deepEqual(tested.decisions.map((d) => [d.rule, d.destination.calledAE, d.destination.port]), [['to-pacs', 'PACS', 11112]])
    const none = (await (await api('/routing/test', { method: 'POST', json: { calledAE: 'OTHER', outcome: 'success' } })).json()) as Result
    assert.equal(none.decisions.length, 0)
    assert.match(none.trace.join('\n'), /AETitleIn \/COPY\/ does not match called AE "OTHER"/, 'and says why')
  })

  it('gives the last lines of the routing log', async () => {
    await writeFile(join(f.dataDir, 'logs', 'routing.log'), Array.from({ length: 300 }, (_, i) => `2026-11-28T10:00:00.000Z INFO  routing: decision ${i}`).join('\n') + '\n')
    const last = (await (await api('/routing/log?lines=2')).text()).split('\n')
    assert.deepEqual(last.map((l) => l.split(': ')[1]), ['decision 298', 'decision 299'])
    assert.equal((await (await api('/routing/log')).text()).split('\n').length, 200, '200 lines unless asked')
  })

  it('tests a destination with C-ECHO and says why it failed, refusing a target without host, port and AE title', async () => {
    const refused = (await (await api('/routing/echo', { method: 'POST', json: { host: '127.0.0.1', port: 1, calledAE: 'NOBODY' } })).json()) as { ok: boolean; result: string }
    assert.equal(refused.ok, false)
    assert.match(refused.result, /refused|ECONNREFUSED|connect/i)
    assert.equal((await api('/routing/echo', { method: 'POST', json: { host: '127.0.0.1', port: 70000, calledAE: 'X' } })).status, 400)
    assert.equal((await api('/routing/echo', { method: 'POST', json: {} })).status, 400)
  })

  it('reads and replaces settings.json, refusing invalid settings with their problems, and has the supervisor reload', async () => {
    const settings = (await (await api('/settings')).json()) as Record<string, unknown>
    assert.ok(typeof settings.statusPort === 'number')
    const bad = await api('/settings', { method: 'PUT', json: { ...settings, quietSeconds: -1, nosuchkey: 1 } })
    assert.equal(bad.status, 400)
    assert.ok(((await bad.json()) as { problems: string[] }).problems.length >= 1)
    assert.equal((await api('/settings', { method: 'PUT', json: [] })).status, 400)
    const before = f.calls.length
    const saved = await api('/settings', { method: 'PUT', json: { ...settings, quietSeconds: 20 } })
    assert.equal(saved.status, 200)
    assert.equal(JSON.parse(await readFile(join(f.dataDir, 'settings.json'), 'utf8')).quietSeconds, 20)
    assert.deepEqual(f.calls.slice(before), [`reload by ${ADMIN.user}`])
    const audit = await readFile(join(f.dataDir, 'logs', 'audit.log'), 'utf8')
    assert.match(audit, /alice replaced settings\.json through the API: quietSeconds: 15 → 20/, 'the audit log says what changed')
    const health = settings.health as Record<string, unknown>
    const webhook = 'https://alerts.example.org/hook?token=s3cr3t-t0ken'
    assert.equal((await api('/settings', { method: 'PUT', json: { ...settings, quietSeconds: 20, health: { ...health, webhookUrl: webhook } } })).status, 200)
    const after = await readFile(join(f.dataDir, 'logs', 'audit.log'), 'utf8')
    assert.match(after, /through the API: health\.webhookUrl changed$/m, 'a secret is said to have changed, not to what')
    assert.ok(!after.includes('s3cr3t-t0ken'))
  })

  it('shows the system status and restarts a unit, and lists studies and jobs per day', async () => {
    const system = (await (await api('/system')).json()) as { status: { jobs: { indexed: number } } }
    assert.equal(system.status.jobs.indexed, 2)
    assert.equal((await api('/system/units/receiver/restart', { method: 'POST' })).status, 200)
    assert.ok(f.calls.includes(`restart receiver by ${ADMIN.user}`))
    const studies = JSON.stringify(await (await api('/studies')).json())
    assert.match(studies, /1\.2\.3\.4/)
    const before = f.calls.length
    assert.deepEqual(await (await api('/studies/1.2.3.4', { method: 'DELETE' })).json(), { study: '1.2.3.4', jobs: 2, deleted: 2, refused: [] })
    assert.equal(f.calls.length, before + 2)
    assert.equal((await api('/studies/9.9.9', { method: 'DELETE' })).status, 404)
    assert.equal((await api('/studies/..%2F1', { method: 'DELETE' })).status, 400)
    assert.deepEqual(await (await api('/heatmap?since=2026-11-01')).json(), { '2026-11-28': 2 })
  })

  it('takes the session and the x-csrf-token header from the pages, and refuses a change without the header', async () => {
    const put = (headers: Record<string, string>) =>
      f.app.request('/api/v1/streams/COPY/enabled', { method: 'PUT', body: JSON.stringify({ enabled: true }), headers: { cookie: admin.cookie, 'content-type': 'application/json', ...headers } })
    assert.equal((await put({})).status, 403)
    assert.equal((await put({ 'x-csrf-token': 'wrong' })).status, 403)
    assert.equal((await put({ 'x-csrf-token': admin.csrf })).status, 200)
  })
})

describe('page routes the other web tests do not reach', () => {
  let f: WebFixture
  let admin: Browser
  before(async () => {
    f = await webFixture()
    admin = await login(f.app, ADMIN)
  })
  after(() => f?.remove())

  it('serves the heat-map and queue fragments the job list refreshes', async () => {
    assert.match(await (await admin.get('/fragments/heat')).text(), /2026-11-28/)
    assert.equal((await admin.get('/fragments/queues')).status, 200)
  })

  it('streams a finished job log as server-sent events and ends the stream', async () => {
    const text = await (await admin.get(`/jobs/${JOB_ID}/log/events`)).text()
    assert.match(text, /event: log/)
    assert.match(text, /line two/)
    assert.match(text, /event: end\ndata: done/)
  })

  it('cancels a job and deletes a study with every one of its jobs, for an admin', async () => {
    const before = f.calls.length
    assert.equal((await admin.post(`/jobs/${JOB_ID}/cancel`, {})).status, 303)
    const deleted = await admin.post('/studies/delete', { study: '1.2.3.4' })
    assert.equal(deleted.status, 303)
    assert.match(decodeURIComponent(deleted.headers.get('location') ?? ''), /Study 1\.2\.3\.4 deleted with 2 job\(s\)/)
    assert.deepEqual(f.calls.slice(before).sort(), [`cancel ${JOB_ID} by ${ADMIN.user}`, `delete ${JOB_ID} by ${ADMIN.user}`, `delete 20261128-101600-012345 by ${ADMIN.user}`].sort())
    assert.equal((await admin.post('/studies/delete', { study: '../1.2' })).status, 400)
  })
})
