/**
 * @module streams-view
 * The streams page: what each stream does, whether it takes studies, its queue and run time, and
 * how to send to it.
 */
import { html } from 'hono/html'
import type { StreamEntry } from '../../supervisor/streams/stream-definition.js'
import type { StreamRunStats } from '../read-models/job-queries.js'
import type { Auth } from '../web-types.js'
import { duration } from './format.js'
import { csrfField, layout, type Html } from './layout.js'

export interface StreamsPageData {
  entries: StreamEntry[]
  stats: StreamRunStats[]
  queues: Record<string, { queued: number; running: number }>
  dicomPort: number
  hostPort: number
}

export function streamsPage(auth: Auth, data: StreamsPageData, notice?: { kind: 'ok' | 'error'; text: string }): Html {
  const admin = auth.role === 'admin'
  return layout(
    'Streams',
    auth,
    '/streams',
    html`<h1>Streams</h1>
<p>Send a study to the AE title of a stream. On the appliance send to <b>port ${data.hostPort}</b> of the host (forwarded to the box's port ${data.dicomPort}); on this machine use port ${data.dicomPort}.</p>
<div class="streams">
${data.entries.map((entry) => {
  const d = entry.definition
  const ae = d?.aeTitle ?? ''
  const stats = data.stats.find((s) => s.stream === ae)
  const queue = data.queues[ae]
  return html`<section class="card stream ${entry.problem ? 'off' : 'on'}">
  <h2>${d?.name ?? entry.folder} ${d ? html`<code>${ae}</code>` : ''} <span class="muted">${d?.version ?? ''}</span></h2>
  ${d ? html`<p>${d.description}</p>` : ''}
  ${entry.problem ? html`<p class="${d?.enabled === false ? 'muted' : 'bad'}">Takes no studies: ${entry.problem}</p>` : html`<p class="good">Takes studies sent to <code>${ae}</code>.</p>`}
  ${d
    ? html`<table class="facts">
    <tr><th>Runner</th><td>${d.runner === 'docker' ? html`container <code>${d.imageTag}</code>` : html`process <code>${d.command.join(' ')}</code>`}</td></tr>
    <tr><th>Queue</th><td>${queue ? `${queue.running} running, ${queue.queued} waiting` : '–'}</td></tr>
    <tr><th>Run time</th><td>${stats?.runs ? html`about ${duration(stats.meanSeconds)} <span class="muted">± ${duration(stats.spreadSeconds)} over ${stats.runs} run(s)</span>` : 'no runs yet'}</td></tr>
    <tr><th>Jobs</th><td>${stats?.jobs ?? 0}</td></tr>
    <tr><th>Quiet period</th><td>${d.quietSeconds ?? 'default'} s · time limit ${d.timeoutMinutes} min · ${d.concurrency} at a time</td></tr>
    <tr><th>License</th><td>${d.license || '–'}</td></tr>
    <tr><th>Folder</th><td><code>${entry.folder}</code></td></tr>
  </table>
  <p class="howto">From dcmtk: <code>storescu -aec ${ae} &lt;host&gt; ${data.hostPort} study/*.dcm</code></p>
  ${admin
    ? html`<form method="post" action="/streams/${encodeURIComponent(ae)}/enabled" class="inline">${csrfField(auth)}<input type="hidden" name="enabled" value="${d.enabled ? '0' : '1'}"><button>${d.enabled ? 'Disable' : 'Enable'}</button></form>`
    : ''}`
    : ''}
</section>`
})}
</div>
${data.entries.length === 0 ? html`<p class="empty">No streams. Put a stream folder with an info.json into the streams folder (see streams/README.md).</p>` : ''}`,
    notice,
  )
}
