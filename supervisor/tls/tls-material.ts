/**
 * @module tls-material
 * The box's certificate and key (settings `tls`), checked once at start and read by every part
 * that serves TLS: the web interface (HTTPS) and the receiver (DICOM TLS). A certificate that does
 * not parse, a key that does not belong to it or a certificate past its end date stop the box
 * with a message that says which file is wrong; no part ever falls back to clear text silently.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { chmod, stat } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { ConfigError } from '../config/config-error.js'
import type { TlsSettings } from '../config/settings.js'
import { makeSelfSignedCertificate } from './self-signed-certificate.js'

/** Where a self-signed certificate is kept, in the data folder. */
export const SELF_SIGNED_CERTIFICATE = join('tls', 'self-signed.crt')
export const SELF_SIGNED_KEY = join('tls', 'self-signed.key')

export interface TlsMaterial {
  certificate: Buffer
  key: Buffer
  /** CAs whose client certificates the DICOM TLS port requires, when set. */
  clientCA: Buffer | undefined
  certificatePath: string
  selfSigned: boolean
  subject: string
  fingerprint256: string
  validTo: Date
}

// The certificate and key files the settings name (or the self-signed pair), undefined for none.
export function tlsFiles(tls: TlsSettings, dataRoot: string): { certificate: string; key: string; selfSigned: boolean } | undefined {
  const inData = (path: string) => (isAbsolute(path) ? path : join(dataRoot, path))
  if (tls.certificate && tls.key) return { certificate: inData(tls.certificate), key: inData(tls.key), selfSigned: false }
  if (tls.selfSigned) return { certificate: join(dataRoot, SELF_SIGNED_CERTIFICATE), key: join(dataRoot, SELF_SIGNED_KEY), selfSigned: true }
  return undefined
}

// Read and check the material (any process); undefined when TLS is not configured.
export function readTlsMaterial(tls: TlsSettings, dataRoot: string, now = new Date()): TlsMaterial | undefined {
  const files = tlsFiles(tls, dataRoot)
  if (!files) return undefined
  const read = (what: string, path: string) => {
    try {
      return readFileSync(path)
    } catch (error) {
      throw new ConfigError(`tls: cannot read the ${what} ${path}: ${(error as Error).message}`)
    }
  }
  const certificate = read('certificate', files.certificate)
  const key = read('key', files.key)
  let parsed: X509Certificate
  try {
    parsed = new X509Certificate(certificate)
  } catch (error) {
    throw new ConfigError(`tls: ${files.certificate} is not a PEM certificate: ${(error as Error).message}`)
  }
  try {
    if (!parsed.checkPrivateKey(createPrivateKey(key))) throw new Error('it is the key of another certificate')
  } catch (error) {
    throw new ConfigError(`tls: the key ${files.key} does not go with ${files.certificate}: ${(error as Error).message}`)
  }
  const validTo = new Date(parsed.validTo)
  if (validTo.getTime() < now.getTime()) throw new ConfigError(`tls: the certificate ${files.certificate} expired on ${validTo.toISOString()}`)
  const clientCA = tls.clientCA ? read('client CA bundle', isAbsolute(tls.clientCA) ? tls.clientCA : join(dataRoot, tls.clientCA)) : undefined
  if (clientCA) {
    try {
      new X509Certificate(clientCA)
    } catch (error) {
      throw new ConfigError(`tls: clientCA ${tls.clientCA} is not a PEM certificate bundle: ${(error as Error).message}`)
    }
  }
  return {
    certificate,
    key,
    clientCA,
    certificatePath: files.certificate,
    selfSigned: files.selfSigned,
    subject: parsed.subject.replace(/\n/g, ', '),
    fingerprint256: parsed.fingerprint256,
    validTo,
  }
}

// At the box's start: make the self-signed pair when asked and missing, keep the key private, check it all.
export async function prepareTls(tls: TlsSettings, dataRoot: string): Promise<TlsMaterial | undefined> {
  const files = tlsFiles(tls, dataRoot)
  if (!files) return undefined
  if (files.selfSigned) {
    const exists = await stat(files.certificate).then(() => true, () => false)
    if (!exists) await makeSelfSignedCertificate(files.certificate, files.key)
  }
  if (files.selfSigned) await chmod(files.key, 0o600)
  return readTlsMaterial(tls, dataRoot)
}
