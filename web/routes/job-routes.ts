/**
 * @module job-routes
 * The jobs page (home), one job's page, the zip downloads, the commands on a job (through the
 * supervisor), and the live fragments the pages refresh themselves with.
 */
import { Readable } from 'node:stream'
import { Hono, type Context } from 'hono'
import { heatmap, heatmapStart } from '../views/heatmap.js'
import { jobPage } from '../views/job-view.js'
import { heatCard, jobsPage, jobTable, queueRow } from '../views/job-list-view.js'
import type { JobFilter } from '../read-models/job-queries.js'
import { requireAdmin } from '../middleware/authenticate.js'
import { zipFiles } from '../zip-stream.js'
import type { WebDeps, WebEnv } from '../web-types.js'

export function filterFrom(c: Context<WebEnv>): JobFilter {
  const q = (name: string) => c.req.query(name)?.slice(0, 200) || undefined
  return { q: q('q'), stream: q('stream'), state: q('state'), outcome: q('outcome'), day: q('day'), before: q('before') }
}

async function status(deps: WebDeps) {
  try {
    return { status: await deps.supervisor.status(), error: undefined }
  } catch (error) {
    return { status: undefined, error: (error as Error).message }
  }
}

export function jobRoutes(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>()

  app.get('/', async (c) => {
    const filter = filterFrom(c)
    const page = deps.jobs.list(filter)
    const streams = [...new Set([...deps.catalog.current().byAeTitle.keys(), ...deps.jobs.streamNames()])].sort()
    const s = await status(deps)
    const heat = heatmap(deps.jobs.perDay(heatmapStart().toISOString().slice(0, 10)), filter.day)
    return c.html(jobsPage(c.get('auth'), page, filter, streams, heat, queueRow(s.status, s.error), deps.jobs.count()))
  })

  app.get('/fragments/jobs', (c) => c.html(jobTable(deps.jobs.list(filterFrom(c)), filterFrom(c))))
  app.get('/fragments/heat', (c) => {
    const day = filterFrom(c).day
    return c.html(heatCard(heatmap(deps.jobs.perDay(heatmapStart().toISOString().slice(0, 10)), day), deps.jobs.count(), day))
  })
  app.get('/fragments/queues', async (c) => {
    const s = await status(deps)
    return c.html(queueRow(s.status, s.error))
  })

  app.get('/jobs/:id', async (c) => {
    const id = c.req.param('id')
    const job = await deps.files.job(id)
    if (!job) return c.text(`No job ${id}.`, 404)
    const deliveries = await Promise.all(job.deliveries.map(async (delivery) => ({ delivery, ...(await deps.files.deliveryDetail(id, delivery.id)) })))
    const notice = c.req.query('done') ? { kind: 'ok' as const, text: c.req.query('done')!.slice(0, 200) } : undefined
    return c.html(jobPage(c.get('auth'), job, await deps.files.log(id), deliveries, (await deps.files.files(id, 'output')).length, notice))
  })

  for (const which of ['input', 'output'] as const) {
    app.get(`/jobs/:id/${which}.zip`, async (c) => {
      const id = c.req.param('id')
      if (!(await deps.files.job(id))) return c.text(`No job ${id}.`, 404)
      const files = await deps.files.files(id, which)
      deps.audit.info(`${c.get('auth').user} downloaded the ${which} of job ${id} (${files.length} files)`)
      c.header('Content-Type', 'application/zip')
      c.header('Content-Disposition', `attachment; filename="${id}-${which}.zip"`)
      return c.body(Readable.toWeb(zipFiles(files, `${id}-${which}`)) as ReadableStream)
    })
  }

  // Commands go to the supervisor, the only writer of jobs.
  const command = (name: string, run: (id: string, user: string, c: Context<WebEnv>) => Promise<unknown>, after: (id: string) => string) =>
    app.post(`/jobs/:id/${name}`, requireAdmin(), async (c) => {
      const id = c.req.param('id')
      const user = c.get('auth').user
      try {
        await run(id, user, c)
        deps.audit.info(`${user} asked to ${name} job ${id}${c.req.query('all') === '1' ? ' (all)' : ''}`)
        return c.redirect(after(id), 303)
      } catch (error) {
        const status = (error as { status?: number }).status ?? 500
        return c.text(`Could not ${name} job ${id}: ${(error as Error).message}`, status === 404 || status === 409 ? status : 502)
      }
    })
  command('rerun', (id, user) => deps.supervisor.rerun(id, user), (id) => `/jobs/${id}?done=${encodeURIComponent('Queued to run again.')}`)
  command('resend', (id, user, c) => deps.supervisor.resend(id, c.req.query('all') === '1', user), (id) => `/jobs/${id}?done=${encodeURIComponent('Resending.')}`)
  command('cancel', (id, user) => deps.supervisor.cancel(id, user), (id) => `/jobs/${id}?done=${encodeURIComponent('Cancel requested.')}`)
  command('delete', (id, user) => deps.supervisor.deleteJob(id, user), () => '/')

  return app
}
