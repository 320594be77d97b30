/**
 * @module setup-view
 * The setup page (admin): the settings an operator changes, in groups.
 */
import { html } from 'hono/html'
import type { Auth } from '../web-types.js'
import { csrfField, layout, type Html } from './layout.js'

export interface SetupField {
  path: string
  label: string
  type: 'text' | 'number' | 'bool'
  help?: string
  /** The value may hold a secret: the audit log says that it changed, not to what. */
  secret?: boolean
}

export const SETUP_GROUPS: { title: string; fields: SetupField[] }[] = [
  {
    title: 'Default destination ("$me" and "$port" in routing.json)',
    fields: [
      { path: 'defaultDestination.host', label: 'Host or IP', type: 'text', help: 'the PACS or viewer results go back to' },
      { path: 'defaultDestination.port', label: 'Port', type: 'number' },
      { path: 'defaultDestination.calledAE', label: 'Its AE title', type: 'text' },
    ],
  },
  {
    title: 'Receiving',
    fields: [{ path: 'quietSeconds', label: 'Quiet period (s)', type: 'number', help: 'a study is complete after this long without a new image (streams may set their own)' }],
  },
  {
    title: 'Retention (the original scrub)',
    fields: [
      { path: 'retention.enabled', label: 'Delete finished jobs when the data disk is full', type: 'bool' },
      { path: 'retention.dryRun', label: 'Dry run (only log what would be deleted)', type: 'bool' },
      { path: 'retention.highWaterPercent', label: 'High-water mark (%)', type: 'number' },
      { path: 'retention.lowWaterPercent', label: 'Low-water mark (%)', type: 'number' },
      { path: 'retention.successDays', label: 'Keep successful jobs (days, 0 = forever)', type: 'number' },
      { path: 'retention.partialDays', label: 'Keep partial jobs (days, 0 = forever)', type: 'number' },
      { path: 'retention.failedDays', label: 'Keep failed jobs (days, 0 = forever)', type: 'number' },
    ],
  },
  {
    title: 'Privacy',
    fields: [{ path: 'logs.maskIdentifiers', label: 'Mask patient names, IDs and UIDs in logs (keyed hashes; takes effect after a restart)', type: 'bool' }],
  },
  {
    title: 'Heartbeat (C-ECHO to the receiver)',
    fields: [
      { path: 'heartbeat.intervalSeconds', label: 'Every (s, 0 = off)', type: 'number' },
      { path: 'heartbeat.timeoutSeconds', label: 'Timeout (s)', type: 'number' },
      { path: 'heartbeat.failuresBeforeRestart', label: 'Failures before the receiver is restarted', type: 'number' },
    ],
  },
  {
    title: 'Delivery',
    fields: [
      { path: 'delivery.maxAttempts', label: 'Attempts per destination', type: 'number' },
      { path: 'delivery.firstRetrySeconds', label: 'First retry after (s)', type: 'number' },
      { path: 'delivery.callingAE', label: 'Our AE title when sending', type: 'text' },
    ],
  },
  { title: 'Alerts', fields: [{ path: 'health.webhookUrl', label: 'Webhook URL (alerts are POSTed as JSON)', type: 'text', secret: true }] },
]

export function valueAt(settings: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), settings)
}

export function setupPage(auth: Auth, settings: unknown, notice?: { kind: 'ok' | 'error'; text: string }, problems: string[] = []): Html {
  return layout(
    'Setup',
    auth,
    '/setup',
    html`<h1>Setup</h1>
${problems.length ? html`<div class="notice error" role="alert"><b>Not saved:</b><ul>${problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : ''}
<form method="post" action="/setup" class="setup">
${csrfField(auth)}
${SETUP_GROUPS.map(
  (g) => html`<fieldset><legend>${g.title}</legend>
${g.fields.map((f) => {
  const v = valueAt(settings, f.path)
  return f.type === 'bool'
    ? html`<label class="check"><input type="checkbox" name="${f.path}" value="1" ${v ? 'checked' : ''}> ${f.label}</label>`
    : html`<label>${f.label} <input name="${f.path}" value="${String(v ?? '')}" ${f.type === 'number' ? html`inputmode="decimal"` : ''}>${f.help ? html`<small>${f.help}</small>` : ''}</label>`
})}
</fieldset>`,
)}
<button class="primary">Save settings</button>
</form>
<p class="muted">Saved to settings.json in the data folder, checked first; every change is written to the audit log with who made it. Ports and the AE title take effect after a restart.</p>`,
    notice,
  )
}
