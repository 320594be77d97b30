/**
 * @module job-list-view
 * The jobs page: queues of every stream, the heat-map, filters, and the job table (also served
 * alone as a fragment for live updates).
 */
import { html } from 'hono/html'
import type { Delivery, Job } from '../../supervisor/jobs/job.js'
import type { BoxStatus } from '../../supervisor/status/box-status.js'
import type { JobFilter, JobPage } from '../read-models/job-queries.js'
import type { Auth } from '../web-types.js'
import { between, duration, personName, when } from './format.js'
import { layout, type Html } from './layout.js'

export function stateBadge(state: string): Html {
  return html`<span class="badge s-${state}">${state}</span>`
}

export function outcomeBadge(outcome: string | undefined): Html {
  return outcome ? html`<span class="badge o-${outcome}">${outcome}</span>` : html`<span class="muted">–</span>`
}

export function routingSummary(job: Job): Html {
  if (job.deliveries.length === 0) return html`<span class="muted" title="${job.routingNote ?? ''}">${job.state === 'done' ? 'nothing sent' : '–'}</span>`
  const count = (state: Delivery['state']) => job.deliveries.filter((d) => d.state === state).length
  const done = count('done')
  const failed = count('failed')
  const label = `${done}/${job.deliveries.length} delivered${failed ? `, ${failed} failed` : ''}`
  return html`<span class="${failed ? 'bad' : done === job.deliveries.length ? 'good' : ''}">${label}</span>`
}

function query(filter: JobFilter, change: Record<string, string | undefined>): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries({ q: filter.q, stream: filter.stream, state: filter.state, outcome: filter.outcome, day: filter.day, ...change })) if (v) params.set(k, v)
  const s = params.toString()
  return s ? `/?${s}` : '/'
}

export function jobTable(page: JobPage, filter: JobFilter): Html {
  if (page.jobs.length === 0) {
    return html`<div id="jobs-table" data-live="/fragments/jobs${query(filter, {}).slice(1)}"><p class="empty">No jobs${filter.q || filter.stream || filter.state || filter.day ? ' match these filters' : ' yet: send a study to a stream\'s AE title'}.</p></div>`
  }
  return html`<div id="jobs-table" data-live="/fragments/jobs${query(filter, {}).slice(1)}">
<table class="jobs">
<thead><tr><th>Received</th><th>Stream</th><th>Sender</th><th>Patient</th><th>State</th><th>Images</th><th>Run time</th><th>Outcome</th><th>Routing</th></tr></thead>
<tbody>
${page.jobs.map(
  (j) => html`<tr>
<td><a href="/jobs/${j.id}">${when(j.receivedAt)}</a></td>
<td>${j.stream}</td>
<td>${j.callingAE} <span class="muted">${j.callerIP}</span></td>
<td>${personName(j.study.patientName)} <span class="muted">${j.study.patientId}</span></td>
<td>${stateBadge(j.state)}${j.waitingReason && j.state === 'queued' ? html` <span class="warn" title="${j.waitingReason}">waiting</span>` : ''}</td>
<td class="num">${j.instances}</td>
<td>${duration(between(j.startedAt, j.finishedAt ?? (j.state === 'running' ? new Date().toISOString() : undefined)))}</td>
<td>${outcomeBadge(j.outcome)}</td>
<td>${routingSummary(j)}</td>
</tr>`,
)}
</tbody></table>
${page.next ? html`<p class="pager"><a href="${query(filter, { before: page.next })}">Older jobs →</a></p>` : ''}
</div>`
}

export function queueRow(status: BoxStatus | undefined, error: string | undefined): Html {
  if (!status) return html`<div id="queues" class="queues"><span class="bad">Status unavailable: ${error}</span></div>`
  const queues = Object.entries(status.queues)
  return html`<div id="queues" class="queues" data-live="/fragments/queues">
${queues.length === 0 ? html`<span class="muted">No streams.</span>` : ''}
${queues.map(([ae, q]) => html`<span class="queue${q.running ? ' busy' : ''}"><b>${ae}</b> ${q.running} running · ${q.queued} waiting</span>`)}
${status.admission && !status.admission.open ? html`<span class="queue bad">Receiving stopped: data disk too full</span>` : ''}
${status.alerts.length ? html`<a class="queue bad" href="/system">${status.alerts.length} alert(s)</a>` : ''}
</div>`
}

export function heatCard(heat: Html, total: number, day: string | undefined): Html {
  return html`<div id="heat" class="card heat" data-live="/fragments/heat${day ? `?day=${day}` : ''}"><h2>Jobs per day <span class="muted">(${total} in all)</span></h2>${heat}</div>`
}

export function jobsPage(auth: Auth, page: JobPage, filter: JobFilter, streams: string[], heat: Html, queues: Html, total: number): Html {
  return layout(
    'Jobs',
    auth,
    '/',
    html`<section class="overview">
  ${queues}
  ${heatCard(heat, total, filter.day)}
</section>
<form class="filters" method="get" action="/">
  <input type="search" name="q" value="${filter.q ?? ''}" placeholder="Search patient, ID, AE title, study UID, job…" aria-label="search">
  <select name="stream" aria-label="stream"><option value="">all streams</option>${streams.map((s) => html`<option value="${s}" ${s === filter.stream ? 'selected' : ''}>${s}</option>`)}</select>
  <select name="state" aria-label="state"><option value="">all states</option>${['queued', 'running', 'routing', 'done', 'failed', 'cancelled'].map((s) => html`<option ${s === filter.state ? 'selected' : ''}>${s}</option>`)}</select>
  <input type="date" name="day" value="${filter.day ?? ''}" aria-label="day">
  <button>Filter</button>
  ${filter.q || filter.stream || filter.state || filter.day || filter.outcome ? html`<a href="/">clear</a>` : ''}
</form>
${jobTable(page, filter)}`,
  )
}
