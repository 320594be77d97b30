/**
 * @module studies-view
 * The studies page (the original's "List Studies"): received studies with their patient and
 * the jobs that used them; admins can delete a study with its jobs.
 */
import { html } from 'hono/html'
import type { StudyRow } from '../read-models/job-queries.js'
import type { Auth } from '../web-types.js'
import { personName, when } from './format.js'
import { csrfField, layout, type Html } from './layout.js'

export function studiesPage(auth: Auth, rows: StudyRow[], q: string, offset: number, limit: number, notice?: { kind: 'ok' | 'error'; text: string }): Html {
  const admin = auth.role === 'admin'
  const link = (o: number) => `/studies?${new URLSearchParams({ ...(q ? { q } : {}), offset: String(o) })}`
  return layout(
    'Studies',
    auth,
    '/studies',
    html`<h1>Studies</h1>
<form class="filters" method="get" action="/studies"><input type="search" name="q" value="${q}" placeholder="Search patient, ID, accession, study UID…" aria-label="search"><button>Search</button></form>
${rows.length === 0 ? html`<p class="empty">No studies${q ? ' match' : ' yet'}.</p>` : ''}
${rows.length
  ? html`<table class="jobs"><thead><tr><th>Patient ID</th><th>Patient</th><th>Accession</th><th>Study date</th><th>Description</th><th>Study Instance UID</th><th>Jobs</th><th>Last received</th><th></th></tr></thead><tbody>
${rows.map(
  (r) => html`<tr><td>${r.patientId}</td><td>${personName(r.patientName)}</td><td>${r.accessionNumber}</td><td>${r.studyDate}</td><td>${r.studyDescription} ${r.modality}</td>
<td><a href="/?q=${encodeURIComponent(r.studyInstanceUID)}">${r.studyInstanceUID}</a></td><td class="num">${r.jobs}</td><td>${when(r.lastReceivedAt)}</td>
<td>${admin ? html`<form method="post" action="/studies/delete" class="inline" data-confirm="Delete this study and its ${r.jobs} job(s)? This cannot be undone.">${csrfField(auth)}<input type="hidden" name="study" value="${r.studyInstanceUID}"><button class="danger">Delete</button></form>` : ''}</td></tr>`,
)}</tbody></table>`
  : ''}
<p class="pager">${offset > 0 ? html`<a href="${link(Math.max(0, offset - limit))}">← newer</a>` : ''} ${rows.length === limit ? html`<a href="${link(offset + limit)}">older →</a>` : ''}</p>`,
    notice,
  )
}
