/**
 * @module security-headers
 * Headers on every answer: a CSP without inline scripts or styles, no framing, no referrer to
 * other sites, no MIME sniffing, no caching of pages that show patient data.
 */
import type { MiddlewareHandler } from 'hono'
import type { WebEnv } from '../web-types.js'

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

export function securityHeaders(): MiddlewareHandler<WebEnv> {
  return async function addSecurityHeaders(c, next) {
    await next()
    c.header('Content-Security-Policy', CSP)
    c.header('X-Frame-Options', 'DENY')
    c.header('X-Content-Type-Options', 'nosniff')
    c.header('Referrer-Policy', 'same-origin')
    c.header('Cross-Origin-Opener-Policy', 'same-origin')
    c.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=()')
    if (!c.req.path.startsWith('/static/')) c.header('Cache-Control', 'no-store')
    // Over HTTPS, the browser is told to come back only over HTTPS.
    if (c.req.url.startsWith('https:')) c.header('Strict-Transport-Security', 'max-age=31536000')
  }
}
