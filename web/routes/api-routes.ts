/**
 * @module api-routes
 * The JSON API under /api/v1: everything the pages show and do, for scripts (with an API token)
 * and for the pages' own scripts (with the session and its CSRF token). Documented in
 * /api/v1/openapi.json.
 */
import { readFile } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { Hono, type Context } from 'hono'
import { writeFileAtomic } from '../../supervisor/fs/atomic-write.js'
import { readSettingsFile, writeSettingsFile } from '../../supervisor/config/settings-store.js'
import { ConfigError } from '../../supervisor/config/config-error.js'
import { routeJob } from '../../supervisor/routing/route-job.js'
import { loadStreams } from '../../supervisor/streams/load-streams.js'
import { requireAdmin } from '../middleware/authenticate.js'
import { zipFiles } from '../zip-stream.js'
import type { WebDeps, WebEnv } from '../web-types.js'
import { filterFrom } from './job-routes.js'
import { OPENAPI } from './openapi.js'
import { checkRouting, echoDestination, routingLogTail } from './routing-routes.js'
import { settingsChanges } from './setup-routes.js'
import { setStreamEnabled } from './stream-routes.js'
import { deleteStudy, isStudyUid } from './system-routes.js'

function fail(c: Context<WebEnv>, error: unknown) {
  const status = (error as { status?: number }).status
  return c.json({ error: (error as Error).message }, status === 404 || status === 409 || status === 400 ? status : 502)
}

async function jsonBody(c: Context<WebEnv>): Promise<unknown> {
  try {
    return await c.req.json()
  } catch {
    return undefined
  }
}

export function apiRoutes(deps: WebDeps): Hono<WebEnv> {
  const api = new Hono<WebEnv>()

  api.get('/openapi.json', (c) => c.json(OPENAPI))

  api.get('/jobs', (c) => {
    const limit = Number(c.req.query('limit') ?? 50)
    return c.json(deps.jobs.list({ ...filterFrom(c), limit: Number.isFinite(limit) ? limit : 50 }))
  })
  api.get('/jobs/:id', async (c) => {
    const job = await deps.files.job(c.req.param('id'))
    return job ? c.json(job) : c.json({ error: `no job ${c.req.param('id')}` }, 404)
  })
  api.get('/jobs/:id/log', async (c) => {
    const id = c.req.param('id')
    if (!(await deps.files.job(id))) return c.json({ error: `no job ${id}` }, 404)
    const offset = Math.max(0, Number(c.req.query('offset') ?? 0) || 0)
    const log = await deps.files.log(id, offset, 4 * 1024 * 1024)
    c.header('X-Log-Size', String(log.size))
    return c.text(log.text)
  })
  api.get('/jobs/:id/deliveries/:delivery', async (c) => c.json(await deps.files.deliveryDetail(c.req.param('id'), c.req.param('delivery'))))
  for (const which of ['input', 'output'] as const) {
    api.get(`/jobs/:id/${which}.zip`, async (c) => {
      const id = c.req.param('id')
      if (!(await deps.files.job(id))) return c.json({ error: `no job ${id}` }, 404)
      deps.audit.info(`${c.get('auth').user} downloaded the ${which} of job ${id} through the API`)
      c.header('Content-Type', 'application/zip')
      c.header('Content-Disposition', `attachment; filename="${id}-${which}.zip"`)
      return c.body(Readable.toWeb(zipFiles(await deps.files.files(id, which), `${id}-${which}`)) as ReadableStream)
    })
  }
  const jobCommand = (method: 'post' | 'delete', path: string, name: string, run: (id: string, user: string, c: Context<WebEnv>) => Promise<unknown>) =>
    api[method](path, requireAdmin(), async (c) => {
      const id = c.req.param('id')!
      try {
        const result = await run(id, c.get('auth').user, c)
        deps.audit.info(`${c.get('auth').user} asked to ${name} job ${id} through the API`)
        return c.json(result ?? { ok: true })
      } catch (error) {
        return fail(c, error)
      }
    })
  jobCommand('post', '/jobs/:id/rerun', 'rerun', (id, user) => deps.supervisor.rerun(id, user))
  jobCommand('post', '/jobs/:id/resend', 'resend', (id, user, c) => deps.supervisor.resend(id, c.req.query('all') === '1', user))
  jobCommand('post', '/jobs/:id/cancel', 'cancel', (id, user) => deps.supervisor.cancel(id, user))
  jobCommand('delete', '/jobs/:id', 'delete', (id, user) => deps.supervisor.deleteJob(id, user))

  api.get('/streams', (c) => {
    const stats = deps.jobs.runStats()
    return c.json(loadStreams(deps.catalog.streamsDir).entries.map((e) => ({ ...e, stats: stats.find((s) => s.stream === e.definition?.aeTitle) })))
  })
  api.put('/streams/:ae/enabled', requireAdmin(), async (c) => {
    const body = (await jsonBody(c)) as { enabled?: unknown } | undefined
    if (typeof body?.enabled !== 'boolean') return c.json({ error: 'send {"enabled": true|false}' }, 400)
    const folder = await setStreamEnabled(deps, c.req.param('ae'), body.enabled)
    if (!folder) return c.json({ error: `no stream has AE title ${c.req.param('ae')}` }, 404)
    deps.audit.info(`${c.get('auth').user} ${body.enabled ? 'enabled' : 'disabled'} stream ${c.req.param('ae')} through the API`)
    return c.json({ aeTitle: c.req.param('ae'), enabled: body.enabled })
  })

  api.get('/routing', async (c) => {
    const text = await readFile(deps.config.paths.routing, 'utf8').catch(() => undefined)
    return text === undefined ? c.json({ error: 'there is no routing.json: nothing is sent' }, 404) : c.body(text, 200, { 'Content-Type': 'application/json' })
  })
  api.put('/routing', requireAdmin(), async (c) => {
    const text = await c.req.text()
    const checked = checkRouting(text)
    if ('problems' in checked) return c.json({ error: 'routing.json not saved', problems: checked.problems }, 400)
    await writeFileAtomic(deps.config.paths.routing, text.endsWith('\n') ? text : `${text}\n`)
    deps.audit.info(`${c.get('auth').user} saved routing.json through the API (${checked.table.rules.length} rule(s))`)
    return c.json({ saved: true, rules: checked.table.rules.length })
  })
  api.post('/routing/test', async (c) => {
    const body = ((await jsonBody(c)) ?? {}) as Record<string, unknown>
    const text = typeof body.routing === 'string' ? body.routing : await readFile(deps.config.paths.routing, 'utf8').catch(() => undefined)
    if (text === undefined) return c.json({ error: 'there is no routing.json to test' }, 404)
    const checked = checkRouting(text)
    if ('problems' in checked) return c.json({ error: 'routing.json is not valid', problems: checked.problems }, 400)
    const facts = { calledAE: String(body.calledAE ?? ''), callingAE: String(body.callingAE ?? ''), callerIP: String(body.callerIP ?? ''), outcome: String(body.outcome ?? 'success') }
    const s = deps.config.settings
    return c.json(routeJob(checked.table, facts, { defaultDestination: s.defaultDestination, callingAE: s.delivery.callingAE }))
  })
  // Admins only, as on the routing page: the box would connect to any host and port.
  api.post('/routing/echo', requireAdmin(), async (c) => {
    const body = ((await jsonBody(c)) ?? {}) as Record<string, unknown>
    const target = { host: String(body.host ?? ''), port: Number(body.port), calledAE: String(body.calledAE ?? ''), callingAE: String(body.callingAE ?? deps.config.settings.delivery.callingAE) }
    if (!target.host || !Number.isInteger(target.port) || target.port < 1 || target.port > 65535 || !target.calledAE) return c.json({ error: 'send {"host", "port", "calledAE"}' }, 400)
    const result = await echoDestination(target)
    return c.json({ ok: result.startsWith('ok'), result })
  })

  api.get('/routing/log', async (c) => {
    const lines = Math.min(10_000, Math.max(1, Number(c.req.query('lines') ?? 200) || 200))
    return c.text(await routingLogTail(deps.config.paths.logs, lines))
  })

  api.get('/settings', async (c) => c.json(await readSettingsFile(deps.config.paths.settings)))
  api.put('/settings', requireAdmin(), async (c) => {
    const body = await jsonBody(c)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return c.json({ error: 'send the settings as a JSON object' }, 400)
    const before = await readSettingsFile(deps.config.paths.settings)
    try {
      await writeSettingsFile(deps.config.paths.settings, body as never)
    } catch (error) {
      if (error instanceof ConfigError) return c.json({ error: 'settings not saved', problems: error.message.replace(/^[^:]*settings\.json: /, '').split('; ') }, 400)
      throw error
    }
    const changes = settingsChanges(before, await readSettingsFile(deps.config.paths.settings))
    deps.audit.info(`${c.get('auth').user} replaced settings.json through the API: ${changes.length ? changes.join('; ') : 'nothing changed'}`)
    const reload = await deps.supervisor.reloadSettings(c.get('auth').user).catch((error: Error) => ({ error: error.message }))
    return c.json({ saved: true, reload })
  })

  api.get('/system', async (c) => {
    try {
      return c.json({ status: await deps.supervisor.status(), history: await deps.supervisor.history() })
    } catch (error) {
      return fail(c, error)
    }
  })
  api.post('/system/units/:name/restart', requireAdmin(), async (c) => {
    try {
      const result = await deps.supervisor.restartUnit(c.req.param('name'), c.get('auth').user)
      deps.audit.info(`${c.get('auth').user} restarted unit ${c.req.param('name')} through the API`)
      return c.json(result)
    } catch (error) {
      return fail(c, error)
    }
  })

  api.get('/studies', (c) => c.json(deps.jobs.studies(c.req.query('q'), Math.max(0, Number(c.req.query('offset') ?? 0) || 0), 50)))
  api.delete('/studies/:uid', requireAdmin(), async (c) => {
    const study = c.req.param('uid')
    if (!isStudyUid(study)) return c.json({ error: 'that is not a Study Instance UID' }, 400)
    const { jobs, refused } = await deleteStudy(deps, study, c.get('auth').user)
    if (jobs === 0) return c.json({ error: `no job holds study ${study}` }, 404)
    return c.json({ study, jobs, deleted: jobs - refused.length, refused }, refused.length ? 409 : 200)
  })

  api.get('/heatmap', (c) => c.json(Object.fromEntries(deps.jobs.perDay(c.req.query('since') ?? new Date(Date.now() - 183 * 86_400_000).toISOString().slice(0, 10)))))

  return api
}
