/**
 * @module web-fixture
 * A web app over a real data folder for route tests (app.request(), no port): a job index and
 * job folders with hostile values, a stream, users, and the supervisor's real status API with
 * commands that record what they were asked.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadConfig } from '../../supervisor/config/load-config.js'
import { JobIndex } from '../../supervisor/jobs/job-index.js'
import type { Job } from '../../supervisor/jobs/job.js'
import { createLogger } from '../../supervisor/logging/logger.js'
import { StatusServer } from '../../supervisor/status/status-server.js'
import { StreamCatalog } from '../../supervisor/streams/load-streams.js'
import { createApp } from '../../web/app.js'
import { LoginThrottle } from '../../web/auth/login-throttle.js'
import { SessionStore } from '../../web/auth/sessions.js'
import { UserStore } from '../../web/auth/user-store.js'
import { JobFiles } from '../../web/read-models/job-files.js'
import { JobQueries } from '../../web/read-models/job-queries.js'
import { SupervisorClient } from '../../web/supervisor-client.js'
import { freePort } from '../helpers/ports.js'
import { tempFolder } from '../helpers/temp-folder.js'

export const ADMIN = { user: 'alice', password: 'correct horse battery' }
export const VIEWER = { user: 'victor', password: 'viewer password 1' }
export const FRESH = { user: 'newbie', password: 'generated pw 123' }
export const HOSTILE = '<script>alert("x")</script>'
export const JOB_ID = '20261128-101500-abcdef'

export function fixtureJob(id = JOB_ID, overrides: Partial<Job> = {}): Job {
  const at = '2026-11-28T10:15:00.000Z'
  return {
    id, state: 'done', stream: 'COPY', calledAE: 'COPY', callingAE: 'SCANNER', callerIP: '10.0.0.5', studyInstanceUID: '1.2.3.4',
    study: { patientId: 'P1', patientName: HOSTILE, accessionNumber: 'A1', studyDate: '20261128', studyDescription: HOSTILE, modality: 'CT' },
    instances: 2, bytes: 1000, receivedAt: at, lastArrivalAt: at, completedAt: at, completedReason: 'no new instance for 1 s', lateArrivalOf: [], queuedAt: at,
    waitingReason: undefined, runs: 1, startedAt: at, finishedAt: '2026-11-28T10:16:00.000Z', exitCode: 0, outcome: 'success', outcomeMessage: 'ok',
    failedReason: undefined, deliveries: [], routingNote: 'no routing.json', history: [{ at, from: undefined, to: 'queued', reason: 'created' }], ...overrides,
  }
}

export interface WebFixture {
  app: ReturnType<typeof createApp>
  dataDir: string
  calls: string[]
  remove: () => Promise<void>
}

export async function webFixture(): Promise<WebFixture> {
  const temp = await tempFolder('magickbox-web-')
  const dataDir = join(temp.path, 'data')
  const streamsDir = join(temp.path, 'streams')
  await mkdir(join(streamsDir, 'COPY'), { recursive: true })
  await writeFile(join(streamsDir, 'COPY', 'info.json'), JSON.stringify({ AETitle: 'COPY', name: HOSTILE, runner: 'process', command: ['./run.sh'] }))
  const statusPort = await freePort()
  await mkdir(dataDir, { recursive: true })
  await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ statusPort }))
  const config = await loadConfig({ MAGICKBOX_DATA: dataDir, MAGICKBOX_STREAMS: streamsDir })
  // One job with hostile text and files, one with a symlink out of its folder.
  const index = new JobIndex(config.paths.index)
  for (const job of [fixtureJob(), fixtureJob('20261128-101600-012345', { study: { ...fixtureJob().study, patientName: 'SAFE^NAME' } })]) {
    const folder = join(config.paths.scratch, job.id)
    await mkdir(join(folder, 'input'), { recursive: true })
    await mkdir(join(folder, 'output', 'sub'), { recursive: true })
    await writeFile(join(folder, 'job.json'), JSON.stringify(job))
    await writeFile(join(folder, 'processing.log'), `line one ${HOSTILE}\nline two\n`)
    await writeFile(join(folder, 'input', 'a.dcm'), 'input bytes A')
    await writeFile(join(folder, 'input', 'b.dcm'), 'input bytes B')
    await writeFile(join(folder, 'output', 'sub', 'result.dcm'), 'output bytes')
    await symlink('/etc/passwd', join(folder, 'output', 'escape.dcm'))
    index.upsert(job, 1)
  }
  index.close()
  const users = new UserStore(join(dataDir, 'users.json'))
  await users.setPassword(ADMIN.user, ADMIN.password, { role: 'admin', mustChange: false })
  await users.setPassword(VIEWER.user, VIEWER.password, { role: 'viewer', mustChange: false })
  await users.setPassword(FRESH.user, FRESH.password, { role: 'admin', mustChange: true })
  const calls: string[] = []
  const record = (what: string) => async () => {
    calls.push(what)
    return { ok: true }
  }
  const token = 'test-control-token'
  await writeFile(join(dataDir, '.control-token'), token)
  const status = new StatusServer({
    port: statusPort,
    token,
    status: async () => ({ box: { version: 'test', aet: 'MAGICKBOX', dicomPort: 1, dataDir, streamsDir, pid: 1, startedAt: '', uptimeSeconds: 1 }, units: [], heartbeat: { lastEchoAt: undefined, lastOkAt: undefined, consecutiveFailures: 0, lastFailure: undefined }, admission: undefined, health: [], alerts: [], queues: {}, jobs: { queued: 0, running: 0, routing: 0, indexed: 2 } }),
    healthHistory: () => [],
    commands: {
      restartUnit: async (name, by) => (calls.push(`restart ${name} by ${by}`), true),
      runRetention: record('retention'),
      rerunJob: async (id, by) => (calls.push(`rerun ${id} by ${by}`), { ok: true }),
      resendJob: async (id, all, by) => (calls.push(`resend ${id} all=${all} by ${by}`), { ok: true }),
      cancelJob: async (id, by) => (calls.push(`cancel ${id} by ${by}`), { ok: true }),
      deleteJob: async (id, by) => (calls.push(`delete ${id} by ${by}`), { deleted: id }),
      reloadSettings: async (by) => (calls.push(`reload by ${by}`), { changed: [], needRestart: [] }),
    },
  })
  await status.start()
  const quiet = { console: false, folder: config.paths.logs }
  const jobs = new JobQueries(config.paths.index)
  const app = createApp(
    {
      config,
      users,
      sessions: new SessionStore(),
      throttle: new LoginThrottle({ perAddress: 5, perUser: 10 }),
      jobs,
      files: new JobFiles(config.paths.scratch),
      catalog: new StreamCatalog(config.streamsDir),
      supervisor: new SupervisorClient(statusPort, join(dataDir, '.control-token')),
      audit: createLogger('audit', quiet),
      logger: createLogger('web', quiet),
    },
    join(import.meta.dirname, '..', '..', 'web', 'static'),
  )
  return {
    app,
    dataDir,
    calls,
    remove: async () => {
      jobs.close()
      await status.stop()
      await temp.remove()
    },
  }
}

/** A logged-in browser: its cookie and CSRF token. */
export interface Browser {
  cookie: string
  csrf: string
  get: (path: string) => Promise<Response>
  post: (path: string, form: Record<string, string>, headers?: Record<string, string>) => Promise<Response>
}

export async function login(app: WebFixture['app'], who: { user: string; password: string }): Promise<Browser> {
  const response = await app.request('/login', { method: 'POST', body: new URLSearchParams({ user: who.user, password: who.password, next: '/' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!
  if (!cookie.startsWith('mb_session=')) throw new Error(`login of ${who.user} failed: ${response.status}`)
  const page = await app.request('/password', { headers: { cookie } })
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(await page.text())?.[1] ?? ''
  return {
    cookie,
    csrf,
    get: async (path) => app.request(path, { headers: { cookie } }),
    post: async (path, form, headers = {}) =>
      app.request(path, { method: 'POST', body: new URLSearchParams({ _csrf: csrf, ...form }), headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers } }),
  }
}
