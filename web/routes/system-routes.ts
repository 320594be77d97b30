/**
 * @module system-routes
 * The system page, restarting a unit (admin), and the studies page with deleting a study (admin:
 * all its jobs, through the supervisor; a study with an active job is refused).
 */
import { Hono } from 'hono'
import { requireAdmin } from '../middleware/authenticate.js'
import { studiesPage } from '../views/studies-view.js'
import { systemPage } from '../views/system-view.js'
import type { WebDeps, WebEnv } from '../web-types.js'

export const isStudyUid = (text: string): boolean => /^[0-9.]{1,64}$/.test(text)

// Delete every job of a study through the supervisor (which refuses an active one); audited.
export async function deleteStudy(deps: WebDeps, study: string, user: string): Promise<{ jobs: number; refused: string[] }> {
  const ids = deps.jobs.jobIdsForStudy(study)
  const refused: string[] = []
  for (const id of ids) {
    try {
      await deps.supervisor.deleteJob(id, user)
    } catch (error) {
      refused.push(`${id}: ${(error as Error).message}`)
    }
  }
  deps.audit.info(`${user} deleted study ${deps.audit.ids.uid(study)}: ${ids.length - refused.length} of ${ids.length} job(s)${refused.length ? `; kept ${refused.join('; ')}` : ''}`)
  return { jobs: ids.length, refused }
}

export function systemRoutes(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>()

  app.get('/system', async (c) => {
    const done = c.req.query('done')
    try {
      const [status, history] = await Promise.all([deps.supervisor.status(), deps.supervisor.history()])
      return c.html(systemPage(c.get('auth'), status, history, undefined, done ? { kind: 'ok', text: done.slice(0, 200) } : undefined))
    } catch (error) {
      return c.html(systemPage(c.get('auth'), undefined, [], (error as Error).message), 503)
    }
  })

  app.post('/system/units/:name/restart', requireAdmin(), async (c) => {
    const name = c.req.param('name')
    const user = c.get('auth').user
    try {
      await deps.supervisor.restartUnit(name, user)
    } catch (error) {
      return c.text(`Could not restart ${name}: ${(error as Error).message}`, (error as { status?: number }).status === 404 ? 404 : 502)
    }
    deps.audit.info(`${user} restarted unit ${name}`)
    return c.redirect(`/system?done=${encodeURIComponent(`${name} restarted.`)}`, 303)
  })

  app.get('/studies', (c) => {
    const q = c.req.query('q')?.slice(0, 200) ?? ''
    const offset = Math.max(0, Number(c.req.query('offset') ?? 0) || 0)
    const done = c.req.query('done')
    return c.html(studiesPage(c.get('auth'), deps.jobs.studies(q, offset, 50), q, offset, 50, done ? { kind: 'ok', text: done.slice(0, 200) } : undefined))
  })

  app.post('/studies/delete', requireAdmin(), async (c) => {
    const study = String((await c.req.parseBody()).study ?? '')
    if (!isStudyUid(study)) return c.text('That is not a Study Instance UID.', 400)
    const { jobs, refused } = await deleteStudy(deps, study, c.get('auth').user)
    if (refused.length) return c.text(`Deleted ${jobs - refused.length} of ${jobs} job(s); not deleted: ${refused.join('; ')}`, 409)
    return c.redirect(`/studies?done=${encodeURIComponent(`Study ${study} deleted with ${jobs} job(s).`)}`, 303)
  })

  return app
}
