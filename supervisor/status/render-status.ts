/**
 * @module render-status
 * The status as plain text (CLI) and as a small HTML page (127.0.0.1:2812), every value escaped.
 */
import type { BoxStatus } from './box-status.js'

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!)
}

function duration(seconds: number | undefined): string {
  if (seconds === undefined) return '-'
  const d = Math.floor(seconds / 86400)
  const h = Math.floor((seconds % 86400) / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : m ? `${m}m ${seconds % 60}s` : `${seconds}s`
}

export function renderText(s: BoxStatus): string {
  const lines = [
    `MagickBox ${s.box.version}  AE ${s.box.aet}  DICOM port ${s.box.dicomPort}  up ${duration(s.box.uptimeSeconds)}  pid ${s.box.pid}`,
    `data ${s.box.dataDir}  streams ${s.box.streamsDir}`,
    '',
    'UNIT                     STATE        PID      UPTIME     RESTARTS  LAST EXIT / DETAIL',
  ]
  for (const u of s.units) {
    lines.push(
      `${u.name.padEnd(24)} ${u.state.padEnd(12)} ${String(u.pid ?? '-').padEnd(8)} ${duration(u.uptimeSeconds).padEnd(10)} ${String(u.restarts).padEnd(9)} ${[u.lastExit, u.detail].filter(Boolean).join('; ')}`,
    )
  }
  lines.push('', `heartbeat: last OK ${s.heartbeat.lastOkAt ?? 'never'}${s.heartbeat.consecutiveFailures ? `, ${s.heartbeat.consecutiveFailures} failure(s): ${s.heartbeat.lastFailure}` : ''}`)
  if (s.admission) lines.push(`receiving: ${s.admission.open ? 'open' : 'STOPPED (data disk too full)'}, ${(s.admission.freeBytes / 1024 ** 3).toFixed(1)} GB free, reserve ${(s.admission.reserveBytes / 1024 ** 3).toFixed(1)} GB`)
  lines.push(`jobs: ${s.jobs.queued} queued, ${s.jobs.running} running, ${s.jobs.routing} routing, ${s.jobs.indexed} in the index`)
  for (const [ae, q] of Object.entries(s.queues)) lines.push(`  stream ${ae}: ${q.queued} queued, ${q.running} running`)
  lines.push('', 'health:')
  for (const h of s.health) lines.push(`  ${h.ok ? 'ok  ' : 'FAIL'} ${h.name.padEnd(13)} ${h.message}`)
  lines.push('', s.alerts.length ? 'alerts:' : 'alerts: none')
  for (const a of s.alerts) lines.push(`  ${a.level.toUpperCase()} ${a.key} since ${a.raisedAt}: ${a.message}`)
  return `${lines.join('\n')}\n`
}

export function renderHtml(s: BoxStatus): string {
  const e = escapeHtml
  const rows = s.units
    .map(
      (u) =>
        `<tr class="${e(u.state)}"><td>${e(u.name)}</td><td>${e(u.state)}</td><td>${e(u.pid ?? '-')}</td><td>${e(duration(u.uptimeSeconds))}</td><td>${e(u.restarts)}</td><td>${e([u.lastExit, u.detail].filter(Boolean).join('; '))}</td></tr>`,
    )
    .join('\n')
  const health = s.health.map((h) => `<tr class="${h.ok ? 'ok' : 'fail'}"><td>${e(h.name)}</td><td>${e(h.value)}</td><td>${e(h.message)}</td></tr>`).join('\n')
  const alerts = s.alerts.length ? s.alerts.map((a) => `<li class="${e(a.level)}">${e(a.key)} (since ${e(a.raisedAt)}): ${e(a.message)}</li>`).join('\n') : '<li>none</li>'
  const queues = Object.entries(s.queues).map(([ae, q]) => `<li>${e(ae)}: ${q.queued} queued, ${q.running} running</li>`).join('\n')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="10"><title>MagickBox status</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;text-align:left}
.given-up td,.fail td{background:#fde2e2}.backing-off td{background:#fff4d6}.critical{color:#b00020}.warning{color:#8a5a00}
</style></head><body>
<h1>MagickBox status</h1>
<p>AE title <b>${e(s.box.aet)}</b>, DICOM port ${e(s.box.dicomPort)}, up ${e(duration(s.box.uptimeSeconds))}, version ${e(s.box.version)}.
Receiving: <b>${s.admission ? (s.admission.open ? 'open' : 'stopped: the data disk is too full') : 'unknown'}</b>.
Heartbeat: last answer ${e(s.heartbeat.lastOkAt ?? 'never')}.</p>
<h2>Units</h2><table><tr><th>unit</th><th>state</th><th>pid</th><th>uptime</th><th>restarts</th><th>last exit / detail</th></tr>
${rows}</table>
<p>Restart a unit with <code>magickbox restart &lt;unit&gt;</code> or from the web interface's System page.</p>
<h2>Alerts</h2><ul>${alerts}</ul>
<h2>Health</h2><table>${health}</table>
<h2>Queues</h2><p>${s.jobs.queued} queued, ${s.jobs.running} running, ${s.jobs.routing} routing; ${s.jobs.indexed} jobs in the index.</p><ul>${queues}</ul>
</body></html>
`
}
