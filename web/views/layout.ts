/**
 * @module layout
 * The page shell: navigation, who is logged in, logout, and the CSRF token for scripts. Every
 * value goes through hono/html's escaping; scripts and styles are files (the CSP forbids inline).
 */
import { html } from 'hono/html'
import type { HtmlEscapedString } from 'hono/utils/html'
import type { Auth } from '../web-types.js'

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>

const NAV: { path: string; label: string; admin?: boolean }[] = [
  { path: '/', label: 'Jobs' },
  { path: '/studies', label: 'Studies' },
  { path: '/streams', label: 'Streams' },
  { path: '/routing', label: 'Routing' },
  { path: '/setup', label: 'Setup', admin: true },
  { path: '/system', label: 'System' },
]

export function csrfField(auth: Auth | undefined): Html {
  return html`<input type="hidden" name="_csrf" value="${auth?.csrf ?? ''}">`
}

export function layout(title: string, auth: Auth | undefined, active: string, body: Html, notice?: { kind: 'ok' | 'error'; text: string }): Html {
  const nav = NAV.filter((n) => !n.admin || auth?.role === 'admin')
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${auth?.csrf ?? ''}">
<title>${title} · MagickBox</title>
<link rel="stylesheet" href="/static/app.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<script src="/static/app.js" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="/">MagickBox</a>
  ${auth
    ? html`<nav>${nav.map((n) => html`<a href="${n.path}" class="${n.path === active ? 'active' : ''}">${n.label}</a>`)}</nav>
  <div class="who">${auth.user} <span class="role">${auth.role}</span>
    <a href="/password">password</a>
    <form method="post" action="/logout" class="inline">${csrfField(auth)}<button class="link">log out</button></form>
  </div>`
    : ''}
</header>
<main>
${notice ? html`<p class="notice ${notice.kind}" role="status">${notice.text}</p>` : ''}
${body}
</main>
</body>
</html>`
}
