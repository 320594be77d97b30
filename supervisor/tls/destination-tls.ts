/**
 * @module destination-tls
 * TLS towards one destination, from routing.json: `"tls": true` (verify the destination's
 * certificate against the system's CAs) or `"tls": {"ca", "certificate", "key", "verify",
 * "serverName"}`. File paths are PEM files, relative to the folder of routing.json unless
 * absolute. Verification is on unless `"verify": false` says otherwise, in which case the link
 * is encrypted but the destination is not authenticated (the routing log says so).
 */
import { readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { checkServerIdentity as defaultCheck, type ConnectionOptions } from 'node:tls'

export interface DestinationTls {
  /** PEM bundle of the CAs that may sign the destination's certificate (default: the system's). */
  ca?: string
  /** Our client certificate and its key, for destinations that ask for one. */
  certificate?: string
  key?: string
  /** Check the destination's certificate chain and name. */
  verify: boolean
  /** The name the destination's certificate holds, when it differs from the address dialled. */
  serverName?: string
}

const FIELDS = new Set(['ca', 'certificate', 'key', 'verify', 'serverName'])

// Check a destination's "tls" value; undefined for none.
export function parseDestinationTls(value: unknown, where: string, problems: string[]): DestinationTls | undefined {
  if (value === undefined || value === false || value === 0) return undefined
  if (value === true || value === 1) return { verify: true }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${where} must be true or an object with ca, certificate, key, verify, serverName`)
    return undefined
  }
  const t = value as Record<string, unknown>
  for (const key of Object.keys(t)) if (!FIELDS.has(key)) problems.push(`${where}.${key} is not a known TLS field (ca, certificate, key, verify, serverName)`)
  for (const key of ['ca', 'certificate', 'key', 'serverName'] as const) {
    if (t[key] !== undefined && (typeof t[key] !== 'string' || t[key] === '')) problems.push(`${where}.${key} must be a non-empty string`)
  }
  if (t.verify !== undefined && typeof t.verify !== 'boolean') problems.push(`${where}.verify must be true or false`)
  if ((t.certificate === undefined) !== (t.key === undefined)) problems.push(`${where}.certificate and ${where}.key go together`)
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined)
  return { ca: text(t.ca), certificate: text(t.certificate), key: text(t.key), verify: t.verify !== false, serverName: text(t.serverName) }
}

// The same settings with every file path made absolute (relative ones are in `folder`).
export function resolveTlsFiles(tls: DestinationTls, folder: string): DestinationTls {
  const at = (path: string | undefined) => (path === undefined || isAbsolute(path) ? path : join(folder, path))
  return { ...tls, ca: at(tls.ca), certificate: at(tls.certificate), key: at(tls.key) }
}

/** A TLS file named in routing.json cannot be read. */
export class TlsFileError extends Error {
  override name = 'TlsFileError'
}

// Node's options for connecting to `host` with these settings (reads the files).
export function tlsConnectionOptions(tls: DestinationTls, host: string): ConnectionOptions {
  const read = (what: string, path: string | undefined) => {
    if (path === undefined) return undefined
    try {
      return readFileSync(path)
    } catch (error) {
      throw new TlsFileError(`TLS ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
    }
  }
  const ip = /^[\d.]+$|:/.test(host)
  const options: ConnectionOptions = { host, minVersion: 'TLSv1.2', rejectUnauthorized: tls.verify }
  const ca = read('CA file', tls.ca)
  if (ca) options.ca = ca
  if (tls.certificate) {
    options.cert = read('certificate', tls.certificate)
    options.key = read('key', tls.key)
  }
  // SNI carries names only; an address is checked against the certificate's IP names.
  if (tls.serverName || !ip) options.servername = tls.serverName ?? host
  // Node insists on a function here when the option is present at all.
  const expected = tls.serverName
  if (expected) options.checkServerIdentity = (_host, cert) => defaultCheck(expected, cert)
  return options
}

export function describeTls(tls: DestinationTls | undefined): string {
  if (!tls) return ''
  return tls.verify ? ' over TLS' : ' over TLS (destination NOT verified: "verify": false)'
}
