/**
 * @module job-view
 * One job: what arrived and from whom, why and when it completed, its run, the live processing
 * log, every delivery with per-instance results, the history, and what can be done with it.
 */
import { html } from 'hono/html'
import type { Delivery, Job } from '../../supervisor/jobs/job.js'
import type { AckLine, FailureLine } from '../../supervisor/sender/delivery-ledger.js'
import type { Auth } from '../web-types.js'
import { between, bytes, duration, personName, when } from './format.js'
import { outcomeBadge, stateBadge } from './job-list-view.js'
import { csrfField, layout, type Html } from './layout.js'

export interface DeliveryDetail {
  delivery: Delivery
  acked: AckLine[]
  failures: FailureLine[]
}

function row(label: string, value: unknown): Html {
  return html`<tr><th>${label}</th><td>${value}</td></tr>`
}

function button(auth: Auth, action: string, label: string, confirm?: string, kind = ''): Html {
  return html`<form method="post" action="${action}" class="inline" ${confirm ? html`data-confirm="${confirm}"` : ''}>${csrfField(auth)}<button class="${kind}">${label}</button></form>`
}

function deliveryCard(d: DeliveryDetail): Html {
  const x = d.delivery
  const where = x.destination.host ? `${x.destination.calledAE} at ${x.destination.host}:${x.destination.port} (as ${x.destination.callingAE})` : 'no address'
  return html`<div class="card delivery d-${x.state}">
  <h3>${stateBadge(x.state)} ${where} <span class="muted">${x.directory}</span></h3>
  <p>${x.why}</p>
  <p>${x.sent} of ${x.instances} instance(s) acknowledged${x.failed ? html`, <span class="bad">${x.failed} failed in the last attempt</span>` : ''}${x.skipped ? html`, ${x.skipped} non-DICOM file(s) not sent` : ''}; ${x.attempts} attempt(s)${x.nextAttemptAt ? html`, next at ${when(x.nextAttemptAt)}` : ''}.</p>
  ${x.lastError ? html`<p class="bad">Last error: ${x.lastError}</p>` : ''}
  ${d.failures.length
    ? html`<details open><summary>${d.failures.length} instance(s) not delivered</summary><table class="small"><tr><th>File</th><th>SOP Instance UID</th><th>Why</th></tr>${d.failures
        .slice(0, 500)
        .map((f) => html`<tr><td>${f.name}</td><td>${f.sop}</td><td>${f.why}${f.permanent ? ' (retrying cannot help)' : ''}</td></tr>`)}</table></details>`
    : ''}
  ${d.acked.length
    ? html`<details><summary>${d.acked.length} instance(s) acknowledged</summary><table class="small"><tr><th>File</th><th>SOP Instance UID</th><th>Status</th><th>At</th></tr>${d.acked
        .slice(0, 1000)
        .map((a) => html`<tr><td>${a.name}</td><td>${a.sop}</td><td>0x${a.status.toString(16).padStart(4, '0')}</td><td>${when(a.at)}</td></tr>`)}</table>${d.acked.length > 1000 ? html`<p class="muted">…and ${d.acked.length - 1000} more</p>` : ''}</details>`
    : ''}
</div>`
}

export function jobPage(auth: Auth, job: Job, log: { text: string; size: number; from: number }, deliveries: DeliveryDetail[], outputCount: number, notice?: { kind: 'ok' | 'error'; text: string }): Html {
  const admin = auth.role === 'admin'
  const active = ['queued', 'running', 'routing'].includes(job.state)
  const finished = !active
  const actions = admin
    ? html`<div class="actions">
  ${finished ? button(auth, `/jobs/${job.id}/rerun`, 'Re-run', 'Run this job again from its input? Its output and deliveries start afresh.') : ''}
  ${finished && job.outcome ? button(auth, `/jobs/${job.id}/resend`, 'Resend what was not delivered') : ''}
  ${finished && job.outcome ? button(auth, `/jobs/${job.id}/resend?all=1`, 'Resend everything', 'Send all results again to every destination routing.json picks now?') : ''}
  ${active ? button(auth, `/jobs/${job.id}/cancel`, 'Cancel', 'Cancel this job?') : ''}
  ${finished ? button(auth, `/jobs/${job.id}/delete`, 'Delete', 'Delete this job with its input and output? This cannot be undone.', 'danger') : ''}
</div>`
    : ''
  return layout(
    `Job ${job.id}`,
    auth,
    '/',
    html`<h1>Job ${job.id} ${stateBadge(job.state)} ${outcomeBadge(job.outcome)}</h1>
<div class="actions">
  <a class="button" href="/jobs/${job.id}/input.zip" download>Download input (${job.instances} files, zip)</a>
  <a class="button" href="/jobs/${job.id}/output.zip" download>Download output (${outputCount} files, zip)</a>
</div>
${actions}
${job.waitingReason && job.state === 'queued' ? html`<p class="notice">Waiting: ${job.waitingReason}</p>` : ''}
${job.failedReason ? html`<p class="notice error">Failed: ${job.failedReason}</p>` : ''}
<div class="columns">
<section class="card"><h2>Study</h2><table class="facts">
${row('Patient', `${personName(job.study.patientName)} (${job.study.patientId})`)}
${row('Study', `${job.study.studyDescription} ${job.study.modality} ${job.study.studyDate}`)}
${row('Accession', job.study.accessionNumber)}
${row('Study Instance UID', job.studyInstanceUID)}
${row('Instances', `${job.instances} (${bytes(job.bytes)})`)}
${row('Sender', `${job.callingAE} at ${job.callerIP}`)}
${row('Stream (called AE)', job.stream)}
</table></section>
<section class="card"><h2>Timeline</h2><table class="facts">
${row('First image', when(job.receivedAt))}
${row('Last image', when(job.lastArrivalAt))}
${row('Completed', when(job.completedAt))}
${row('Why complete', job.completedReason)}
${job.lateArrivalOf.length ? row('Late arrivals of', html`${job.lateArrivalOf.map((id) => html`<a href="/jobs/${id}">${id}</a> `)}`) : ''}
${row('Started', when(job.startedAt))}
${row('Finished', when(job.finishedAt))}
${row('Run time', duration(between(job.startedAt, job.finishedAt)))}
${row('Runs', job.runs)}
${row('Exit code', job.exitCode ?? '–')}
${row('Outcome', job.outcomeMessage ?? '–')}
${row('Routing', job.routingNote ?? '–')}
</table></section>
</div>
<section class="card"><h2>Processing log ${active ? html`<span class="live">live</span>` : ''}</h2>
${log.from > 0 ? html`<p class="muted">(the first ${bytes(log.from)} are left out)</p>` : ''}
<pre id="log" class="log" data-job="${job.id}" data-offset="${log.size}" data-live="${active ? '1' : ''}">${log.text}</pre></section>
<section><h2>Deliveries</h2>${deliveries.length ? deliveries.map(deliveryCard) : html`<p class="muted">${job.routingNote ?? 'None yet.'}</p>`}</section>
<section class="card"><h2>History</h2><table class="small"><tr><th>At</th><th>From</th><th>To</th><th>Why</th></tr>
${job.history.map((h) => html`<tr><td>${when(h.at)}</td><td>${h.from ?? ''}</td><td>${h.to}</td><td>${h.reason}</td></tr>`)}</table></section>
<details class="card"><summary>job.json</summary><pre class="json">${JSON.stringify(job, null, 2)}</pre></details>`,
    notice,
  )
}
