/**
 * @module login-view
 * The login and change-password pages.
 */
import { html } from 'hono/html'
import type { Auth } from '../web-types.js'
import { csrfField, layout, type Html } from './layout.js'

export function loginPage(next: string, error?: string): Html {
  return layout(
    'Log in',
    undefined,
    '',
    html`<section class="card narrow">
  <h1>Log in</h1>
  ${error ? html`<p class="notice error" role="alert">${error}</p>` : ''}
  <form method="post" action="/login" class="stack">
    <input type="hidden" name="next" value="${next}">
    <label>User <input name="user" autocomplete="username" required autofocus></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
    <button class="primary">Log in</button>
  </form>
  <p class="hint">First start: the admin password is in <code>initial-admin-password</code> in the data folder.</p>
</section>`,
  )
}

export function passwordPage(auth: Auth, forced: boolean, error?: string, done?: boolean): Html {
  return layout(
    'Change password',
    auth,
    '',
    html`<section class="card narrow">
  <h1>Change password</h1>
  ${forced ? html`<p class="notice">Choose your own password before you go on.</p>` : ''}
  ${error ? html`<p class="notice error" role="alert">${error}</p>` : ''}
  ${done ? html`<p class="notice ok" role="status">Password changed.</p>` : ''}
  <form method="post" action="/password" class="stack">
    ${csrfField(auth)}
    <label>Current password <input name="current" type="password" autocomplete="current-password" required></label>
    <label>New password (at least 10 characters) <input name="password" type="password" autocomplete="new-password" minlength="10" required></label>
    <label>New password again <input name="again" type="password" autocomplete="new-password" minlength="10" required></label>
    <button class="primary">Change password</button>
  </form>
</section>`,
  )
}
