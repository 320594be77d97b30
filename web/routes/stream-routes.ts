/**
 * @module stream-routes
 * The streams page, and switching a stream on or off (admin): its info.json gets `enabled`
 * rewritten atomically, everything else in it kept as it was.
 */
import { join } from 'node:path'
import { Hono } from 'hono'
import { writeJsonAtomic } from '../../supervisor/fs/atomic-write.js'
import { readJsonIfExists } from '../../supervisor/fs/read-json.js'
import { loadStreams } from '../../supervisor/streams/load-streams.js'
import { requireAdmin } from '../middleware/authenticate.js'
import { streamsPage } from '../views/streams-view.js'
import type { WebDeps, WebEnv } from '../web-types.js'

export const APPLIANCE_DICOM_PORT = 11113

// Set `enabled` in the info.json of the stream with this AE title; returns its folder.
export async function setStreamEnabled(deps: WebDeps, aeTitle: string, enabled: boolean): Promise<string | undefined> {
  const entry = loadStreams(deps.catalog.streamsDir).entries.find((e) => e.definition?.aeTitle === aeTitle)
  if (!entry) return undefined
  const path = join(entry.folder, 'info.json')
  const info = (await readJsonIfExists<Record<string, unknown>>(path)) ?? {}
  info.enabled = enabled
  await writeJsonAtomic(path, info)
  return entry.folder
}

export function streamRoutes(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>()

  app.get('/streams', async (c) => {
    let queues = {}
    try {
      queues = (await deps.supervisor.status()).queues
    } catch {
      // shown without queues
    }
    const data = { entries: loadStreams(deps.catalog.streamsDir).entries, stats: deps.jobs.runStats(), queues, dicomPort: deps.config.settings.dicomPort, hostPort: APPLIANCE_DICOM_PORT }
    const done = c.req.query('done')
    return c.html(streamsPage(c.get('auth'), data, done ? { kind: 'ok', text: done.slice(0, 200) } : undefined))
  })

  app.post('/streams/:ae/enabled', requireAdmin(), async (c) => {
    const ae = c.req.param('ae')
    const enabled = String((await c.req.parseBody()).enabled) === '1'
    const folder = await setStreamEnabled(deps, ae, enabled)
    if (!folder) return c.text(`No stream has AE title ${ae}.`, 404)
    deps.audit.info(`${c.get('auth').user} ${enabled ? 'enabled' : 'disabled'} stream ${ae} (${folder}/info.json)`)
    return c.redirect(`/streams?done=${encodeURIComponent(`Stream ${ae} ${enabled ? 'enabled' : 'disabled'}; the receiver sees it within two seconds.`)}`, 303)
  })

  return app
}
