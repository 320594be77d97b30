/**
 * @module system-view
 * The system page: every supervised unit (restart button for admins), alerts, health checks now
 * and over the last hours, the heartbeat and whether the box is receiving.
 */
import { html } from 'hono/html'
import type { HealthSample } from '../../supervisor/health/health-monitor.js'
import type { BoxStatus } from '../../supervisor/status/box-status.js'
import type { Auth } from '../web-types.js'
import { duration, when } from './format.js'
import { csrfField, layout, type Html } from './layout.js'

const SERIES: { key: keyof HealthSample; label: string }[] = [
  { key: 'scratchPercent', label: 'data disk' },
  { key: 'rootPercent', label: 'system disk' },
  { key: 'memoryPercent', label: 'memory' },
  { key: 'cpuPercent', label: 'CPU' },
]

// A small line chart (0–100 %) of one series.
function chart(samples: HealthSample[], key: keyof HealthSample, label: string): Html {
  const w = 320
  const h = 80
  const points = samples
    .map((s, i) => ({ x: samples.length > 1 ? (i / (samples.length - 1)) * w : 0, v: s[key] as number | null }))
    .filter((p) => p.v !== null)
    .map((p) => `${p.x.toFixed(1)},${(h - (p.v! / 100) * h).toFixed(1)}`)
    .join(' ')
  const last = samples.at(-1)?.[key] as number | null | undefined
  return html`<figure class="chart"><figcaption>${label}: <b>${last === null || last === undefined ? '–' : `${last.toFixed(1)} %`}</b></figcaption>
<svg viewBox="0 0 ${w} ${h}" role="img" aria-label="${label} over the last hours"><rect class="chart-bg" x="0" y="0" width="${w}" height="${h}"></rect><polyline class="chart-line" points="${points}"></polyline></svg></figure>`
}

export function systemPage(auth: Auth, status: BoxStatus | undefined, history: HealthSample[], error: string | undefined, notice?: { kind: 'ok' | 'error'; text: string }): Html {
  if (!status) return layout('System', auth, '/system', html`<h1>System</h1><p class="notice error">The supervisor does not answer: ${error}</p>`)
  const admin = auth.role === 'admin'
  return layout(
    'System',
    auth,
    '/system',
    html`<h1>System</h1>
<p>${status.box.version}, AE title <code>${status.box.aet}</code>, DICOM port ${status.box.dicomPort}, up ${duration(status.box.uptimeSeconds)}.
Receiving: <b class="${status.admission?.open === false ? 'bad' : 'good'}">${status.admission?.open === false ? 'stopped (data disk too full)' : 'open'}</b>.
Heartbeat: last answer ${when(status.heartbeat.lastOkAt)}${status.heartbeat.consecutiveFailures ? html`, <span class="bad">${status.heartbeat.consecutiveFailures} failure(s): ${status.heartbeat.lastFailure}</span>` : ''}.</p>
<section class="card"><h2>Alerts</h2>${status.alerts.length ? html`<ul>${status.alerts.map((a) => html`<li class="${a.level}"><b>${a.level}</b> ${a.message} <span class="muted">(since ${when(a.raisedAt)})</span></li>`)}</ul>` : html`<p class="good">None.</p>`}</section>
<section class="card"><h2>Units</h2><table class="units">
<tr><th>Unit</th><th>State</th><th>Pid</th><th>Up</th><th>Restarts</th><th>Last exit / detail</th><th></th></tr>
${status.units.map(
  (u) => html`<tr class="row-${u.state}"><td>${u.name}</td><td><span class="badge u-${u.state}">${u.state}</span></td><td>${u.pid ?? '–'}</td><td>${duration(u.uptimeSeconds)}</td><td class="num">${u.restarts}</td><td>${[u.lastExit, u.detail].filter(Boolean).join('; ')}</td>
<td>${admin ? html`<form method="post" action="/system/units/${encodeURIComponent(u.name)}/restart" class="inline" data-confirm="Restart ${u.name}?">${csrfField(auth)}<button>${u.kind === 'task' ? 'Run now' : 'Restart'}</button></form>` : ''}</td></tr>`,
)}
</table></section>
<section class="card"><h2>Health now</h2><table class="small">${status.health.map((h) => html`<tr class="${h.ok ? '' : 'bad'}"><td>${h.ok ? 'ok' : 'ALERT'}</td><td>${h.name}</td><td>${h.message}</td></tr>`)}</table></section>
<section class="card"><h2>Last hours</h2><div class="charts">${SERIES.map((s) => chart(history, s.key, s.label))}</div>
<p class="muted">${history.length} reading(s) since ${when(history[0]?.at)}.</p></section>`,
    notice,
  )
}
