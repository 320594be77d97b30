/**
 * @module routing-view
 * The routing page: routing.json in an editor (checked before it is saved), a rule tester that
 * shows which destinations a job would go to and why, a C-ECHO test per destination, and the
 * end of the routing log.
 */
import type { DestinationTls } from '../../supervisor/tls/destination-tls.js'
import { html } from 'hono/html'
import type { RoutingResult } from '../../supervisor/routing/route-job.js'
import type { Auth } from '../web-types.js'
import { csrfField, layout, type Html } from './layout.js'

export interface RoutingPageData {
  text: string
  problems: string[]
  destinations: { host: string; port: number; calledAE: string; callingAE: string; rule: string; tls?: DestinationTls }[]
  test: { calledAE: string; callingAE: string; outcome: string; callerIP: string; result: RoutingResult | undefined }
  log: string
}

export function routingPage(auth: Auth, data: RoutingPageData, notice?: { kind: 'ok' | 'error'; text: string }): Html {
  const admin = auth.role === 'admin'
  const t = data.test
  return layout(
    'Routing',
    auth,
    '/routing',
    html`<h1>Routing</h1>
<p>After a stream ran, <code>routing.json</code> decides where its results go: rules in order, regular expressions over the called and calling AE titles, <code>send</code> keys over the outcome (<code>success</code>, <code>failed</code>, <code>partial</code>). See the README for every field.</p>
${data.problems.length ? html`<div class="notice error" role="alert"><b>Not saved:</b><ul>${data.problems.map((p) => html`<li>${p}</li>`)}</ul></div>` : ''}
<form method="post" action="/routing" class="editor">
  ${csrfField(auth)}
  <textarea name="routing" rows="22" spellcheck="false" ${admin ? '' : 'readonly'} aria-label="routing.json">${data.text}</textarea>
  ${admin ? html`<button class="primary">Check and save</button>` : html`<p class="muted">Only admins can change routing.</p>`}
</form>
<div class="columns">
<section class="card"><h2>Rule tester</h2>
<form method="get" action="/routing" class="stack">
  <label>Called AE (stream) <input name="calledAE" value="${t.calledAE}" required></label>
  <label>Calling AE (sender) <input name="callingAE" value="${t.callingAE}" required></label>
  <label>Caller IP <input name="callerIP" value="${t.callerIP}"></label>
  <label>Outcome <select name="outcome">${['success', 'failed', 'partial'].map((o) => html`<option ${o === t.outcome ? 'selected' : ''}>${o}</option>`)}</select></label>
  <button>Test</button>
</form>
${t.result
  ? html`<h3>${t.result.decisions.length} destination(s)</h3>
<ul>${t.result.decisions.map((d) => html`<li><b>${d.destination.calledAE}@${d.destination.host}:${d.destination.port}</b> (${d.directory}, as ${d.destination.callingAE}): ${d.why}</li>`)}</ul>
${t.result.problems.map((p) => html`<p class="bad">${p}</p>`)}
<h3>Why</h3><pre class="trace">${t.result.trace.join('\n')}</pre>`
  : ''}
</section>
<section class="card"><h2>Destinations</h2>
${data.destinations.length === 0 ? html`<p class="muted">No destinations in routing.json.</p>` : ''}
<table class="small">${data.destinations.map(
      (d) => html`<tr><td>${d.calledAE}@${d.host}:${d.port}${d.tls ? html` <span class="badge">${d.tls.verify ? 'TLS' : 'TLS, not verified'}</span>` : ''}</td><td class="muted">${d.rule}</td><td>
<form method="post" action="/routing/echo" class="inline">${csrfField(auth)}
<input type="hidden" name="host" value="${d.host}"><input type="hidden" name="port" value="${d.port}">
<input type="hidden" name="calledAE" value="${d.calledAE}"><input type="hidden" name="callingAE" value="${d.callingAE}">
<button>C-ECHO</button></form></td></tr>`,
    )}</table>
</section>
</div>
<section class="card"><h2>Routing log</h2><pre class="log">${data.log}</pre></section>`,
    notice,
  )
}
