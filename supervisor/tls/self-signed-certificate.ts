/**
 * @module self-signed-certificate
 * The adapter to `openssl` that makes the box's self-signed certificate (RSA 2048, SHA-256,
 * valid 825 days, usable by servers and clients, naming this host, localhost and the loopback
 * addresses), for sites that want encryption before they have a certificate from their CA.
 */
import { mkdir, rename, rm } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import { execa } from 'execa'

export async function makeSelfSignedCertificate(certificatePath: string, keyPath: string, name = hostname()): Promise<void> {
  await mkdir(dirname(certificatePath), { recursive: true, mode: 0o700 })
  const partCert = `${certificatePath}.part`
  const partKey = `${keyPath}.part`
  const altNames = [...new Set([`DNS:${name}`, 'DNS:localhost', 'IP:127.0.0.1', 'IP:::1'])].join(',')
  try {
    await execa('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-nodes', '-days', '825',
      '-subj', `/O=MagickBox/CN=${name.replace(/[/=+\\]/g, '-')}`,
      '-addext', `subjectAltName=${altNames}`,
      '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment',
      '-addext', 'extendedKeyUsage=serverAuth,clientAuth',
      '-keyout', partKey, '-out', partCert,
    ], { stdin: 'ignore', timeout: 60_000 })
    await rename(partKey, keyPath)
    await rename(partCert, certificatePath)
  } finally {
    await rm(partCert, { force: true })
    await rm(partKey, { force: true })
  }
}
