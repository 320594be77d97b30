/**
 * The pages and what they do: every page renders for an admin, routing.json is checked before
 * it is saved, settings are checked and audited, job commands reach the supervisor, downloads are
 * zips of the job's files, and the API documents itself.
 */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { execa } from 'execa'
import { ADMIN, JOB_ID, login, webFixture, type Browser, type WebFixture } from './web-fixture.js'

describe('web pages', () => {
  let f: WebFixture
  let admin: Browser
  before(async () => {
    f = await webFixture()
    admin = await login(f.app, ADMIN)
  })
  after(async () => f.remove())

  it('renders every page for an admin', async () => {
    for (const [path, text] of [['/', /Jobs per day/], [`/jobs/${JOB_ID}`, /Processing log/], ['/streams', /Takes studies sent to/], ['/routing', /Rule tester/], ['/setup', /Default destination/], ['/system', /Units/], ['/studies', /Study Instance UID/]] as const) {
      const r = await admin.get(path)
      assert.equal(r.status, 200, path)
      assert.match(await r.text(), text, path)
    }
  })

  it('filters the job list by text, stream, state and day', async () => {
    const rows = async (query: string) => ((await (await admin.get(`/fragments/jobs?${query}`)).text()).match(/<td><a href="\/jobs\//g) ?? []).length
    assert.equal(await rows(''), 2)
    assert.equal(await rows('q=safe%5Ename'), 1)
    assert.equal(await rows('q=nothing-like-this'), 0)
    assert.equal(await rows('stream=COPY'), 2)
    assert.equal(await rows('state=failed'), 0)
    assert.equal(await rows('day=2026-11-28'), 2)
    assert.equal(await rows('day=2026-11-27'), 0)
  })

  it('refuses routing.json with bad JSON or unknown fields and leaves the file as it was', async () => {
    const path = join(f.dataDir, 'routing.json')
    await writeFile(path, '{"routing": []}\n')
    const bad = await admin.post('/routing', { routing: '{"routing": [\n  {"name": "x",\n   "send": [}\n]}' })
    assert.equal(bad.status, 400)
    assert.match(await bad.text(), /not valid JSON at line 3/)
    const unknown = await admin.post('/routing', { routing: JSON.stringify({ routing: [{ name: 'x', sendto: [] }] }) })
    assert.equal(unknown.status, 400)
    assert.match(await unknown.text(), /sendto is not a known rule field/)
    assert.equal(await readFile(path, 'utf8'), '{"routing": []}\n')
    const good = JSON.stringify({ routing: [{ name: 'to pacs', send: [{ success: { IP: '10.1.1.1', PORT: 104, AETitleTo: 'PACS' } }] }] }, null, 2)
    assert.equal((await admin.post('/routing', { routing: good })).status, 303)
    assert.equal(await readFile(path, 'utf8'), `${good}\n`)
    assert.match(await readFile(join(f.dataDir, 'logs', 'audit.log'), 'utf8'), /alice saved routing\.json \(1 rule\(s\): to pacs\)/)
  })

  it('tests rules: which destinations, and why', async () => {
    const text = await (await admin.get('/routing?calledAE=COPY&callingAE=SCANNER&outcome=success')).text()
    assert.match(text, /1 destination\(s\)/)
    assert.match(text, /PACS@10\.1\.1\.1:104/)
    assert.match(text, /rule &quot;to pacs&quot;: matches/)
  })

  it('checks settings before saving them, audits every change, and has the supervisor reload them', async () => {
    const page = await (await admin.get('/setup')).text()
    const form: Record<string, string> = {}
    for (const m of page.matchAll(/<input name="([^"]+)" value="([^"]*)"/g)) form[m[1]!] = m[2]!.replace(/&quot;/g, '"')
    for (const m of page.matchAll(/<input type="checkbox" name="([^"]+)" value="1" checked>/g)) form[m[1]!] = '1'
    const bad = await admin.post('/setup', { ...form, 'retention.highWaterPercent': 'lots' })
    assert.equal(bad.status, 400)
    assert.match(await bad.text(), /is not a number/)
    const inverted = await admin.post('/setup', { ...form, 'retention.lowWaterPercent': '95' })
    assert.equal(inverted.status, 400)
    assert.match(await inverted.text(), /lowWaterPercent must be below/)
    const hook = 'https://hooks.example.org/services/T000/B000/s3cr3t-webhook-token'
    const ok = await admin.post('/setup', { ...form, 'retention.highWaterPercent': '85', 'defaultDestination.host': 'pacs.local', 'health.webhookUrl': hook })
    assert.equal(ok.status, 303)
    const settings = JSON.parse(await readFile(join(f.dataDir, 'settings.json'), 'utf8'))
    assert.equal(settings.retention.highWaterPercent, 85)
    assert.equal(settings.defaultDestination.host, 'pacs.local')
    const audit = await readFile(join(f.dataDir, 'logs', 'audit.log'), 'utf8')
    assert.match(audit, /alice changed settings: .*retention\.highWaterPercent: 90 → 85/)
    assert.match(audit, /health\.webhookUrl changed/)
    assert.ok(!audit.includes('s3cr3t-webhook-token'), 'a webhook URL (which holds its token) is not written to the audit log')
    assert.ok(f.calls.includes('reload by alice'))
  })

  it('sends job commands to the supervisor with the user who asked', async () => {
    for (const [path, call] of [
      [`/jobs/${JOB_ID}/rerun`, `rerun ${JOB_ID} by alice`],
      [`/jobs/${JOB_ID}/resend?all=1`, `resend ${JOB_ID} all=true by alice`],
      [`/jobs/${JOB_ID}/resend`, `resend ${JOB_ID} all=false by alice`],
      [`/jobs/${JOB_ID}/delete`, `delete ${JOB_ID} by alice`],
      ['/system/units/receiver/restart', 'restart receiver by alice'],
    ] as const) {
      assert.equal((await admin.post(path, {})).status, 303, path)
      assert.ok(f.calls.includes(call), call)
    }
  })

  it('streams the input of a job as a zip holding its files', async () => {
    const r = await admin.get(`/jobs/${JOB_ID}/input.zip`)
    assert.equal(r.headers.get('content-type'), 'application/zip')
    assert.match(r.headers.get('content-disposition') ?? '', /attachment; filename="20261128-101500-abcdef-input\.zip"/)
    const file = join(f.dataDir, 'in.zip')
    await writeFile(file, Buffer.from(await r.arrayBuffer()))
    const { stdout } = await execa('/usr/bin/python3', ['-c', 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(";".join(n + "=" + z.read(n).decode() for n in z.namelist()))', file])
    assert.equal(stdout, `${JOB_ID}-input/a.dcm=input bytes A;${JOB_ID}-input/b.dcm=input bytes B`)
  })

  it('enables and disables a stream by rewriting only "enabled" in its info.json', async () => {
    const info = join(f.dataDir, '..', 'streams', 'COPY', 'info.json')
    assert.equal((await admin.post('/streams/COPY/enabled', { enabled: '0' })).status, 303)
    const written = JSON.parse(await readFile(info, 'utf8'))
    assert.equal(written.enabled, false)
    assert.equal(written.AETitle, 'COPY')
    assert.deepEqual(written.command, ['./run.sh'])
  })

  it('documents its API (OpenAPI) and answers JSON errors with messages', async () => {
    const doc = (await (await admin.get('/api/v1/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> }
    assert.equal(doc.openapi, '3.1.0')
    assert.ok(doc.paths['/jobs/{id}/rerun'])
    const missing = await admin.get('/api/v1/jobs/20990101-000000-000000')
    assert.equal(missing.status, 404)
    assert.match(((await missing.json()) as { error: string }).error, /no job/)
    const unknown = await admin.get('/api/v1/nothing')
    assert.equal(unknown.status, 404)
  })
})
