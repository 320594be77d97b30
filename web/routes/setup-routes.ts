/**
 * @module setup-routes
 * The setup page (admin): settings changed in the browser are checked, written atomically to
 * settings.json, logged field by field in the audit log, and the supervisor reloads them.
 */
import { Hono } from 'hono'
import { readSettingsFile, writeSettingsFile } from '../../supervisor/config/settings-store.js'
import { ConfigError } from '../../supervisor/config/config-error.js'
import { requireAdmin } from '../middleware/authenticate.js'
import { SETUP_GROUPS, setupPage } from '../views/setup-view.js'
import type { WebDeps, WebEnv } from '../web-types.js'

function setAt(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.')
  let at = target
  for (const key of keys.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>
  at[keys.at(-1)!] = value
}

const SECRET_PATHS = new Set(SETUP_GROUPS.flatMap((g) => g.fields).filter((f) => f.secret).map((f) => f.path))

// Every leaf that differs between two settings objects, as audit-log text (a secret only "changed").
export function settingsChanges(before: unknown, after: unknown, path = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()
    return keys.flatMap((key) => settingsChanges(before[key], after[key], path ? `${path}.${key}` : key))
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return []
  return [SECRET_PATHS.has(path) ? `${path} changed` : `${path}: ${JSON.stringify(before) ?? 'unset'} → ${JSON.stringify(after) ?? 'unset'}`]
}

// Apply form fields over the current settings; the problems found converting them, and what changed.
export function applyForm(current: unknown, form: Record<string, unknown>): { next: Record<string, unknown>; problems: string[]; changes: string[] } {
  const next = structuredClone(current) as Record<string, unknown>
  const problems: string[] = []
  for (const field of SETUP_GROUPS.flatMap((g) => g.fields)) {
    const raw = form[field.path]
    let value: unknown
    if (field.type === 'bool') value = raw === '1' || raw === 'on' || raw === true
    else if (field.type === 'number') {
      const text = String(raw ?? '').trim()
      value = Number(text)
      if (text === '' || !Number.isFinite(value)) {
        problems.push(`${field.label}: "${text}" is not a number`)
        continue
      }
    } else value = String(raw ?? '').trim()
    setAt(next, field.path, value)
  }
  return { next, problems, changes: settingsChanges(current, next) }
}

export function setupRoutes(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>()
  app.use('/setup', requireAdmin())

  app.get('/setup', async (c) => {
    const done = c.req.query('done')
    return c.html(setupPage(c.get('auth'), await readSettingsFile(deps.config.paths.settings), done ? { kind: 'ok', text: done.slice(0, 300) } : undefined))
  })

  app.post('/setup', async (c) => {
    const form = await c.req.parseBody()
    const current = await readSettingsFile(deps.config.paths.settings)
    const { next, problems, changes } = applyForm(current, form)
    if (problems.length) return c.html(setupPage(c.get('auth'), next, undefined, problems), 400)
    try {
      await writeSettingsFile(deps.config.paths.settings, next as never)
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      return c.html(setupPage(c.get('auth'), next, undefined, error.message.replace(/^[^:]*settings\.json: /, '').split('; ')), 400)
    }
    const user = c.get('auth').user
    deps.audit.info(`${user} changed settings: ${changes.length ? changes.join('; ') : 'nothing'}`)
    let note = changes.length ? `Saved ${changes.length} change(s).` : 'Nothing changed.'
    try {
      const reload = await deps.supervisor.reloadSettings(user)
      if (reload.needRestart.length) note += ` ${reload.needRestart.join(', ')} take effect after a restart.`
    } catch (error) {
      note += ` The supervisor did not reload them (${(error as Error).message}); they apply at its next start.`
    }
    Object.assign(deps.config.settings, next)
    return c.redirect(`/setup?done=${encodeURIComponent(note)}`, 303)
  })

  return app
}
