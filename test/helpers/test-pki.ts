/**
 * A small certificate authority for TLS tests, made with openssl: a CA, a server certificate for
 * 127.0.0.1/localhost, a client certificate, and a second CA (with its own client) that nobody
 * trusts. Keys are unencrypted PEM; everything lives in the folder given.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execa } from 'execa'

export interface TestPki {
  caCertificate: string
  server: { certificate: string; key: string }
  client: { certificate: string; key: string }
  /** A CA nobody trusts, and a client certificate it signed. */
  otherCaCertificate: string
  stranger: { certificate: string; key: string }
}

async function makeCa(folder: string, name: string): Promise<{ certificate: string; key: string }> {
  const certificate = join(folder, `${name}.crt`)
  const key = join(folder, `${name}.key`)
  await execa('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3', '-sha256', '-subj', `/O=MagickBox tests/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-keyout', key, '-out', certificate])
  return { certificate, key }
}

async function makeLeaf(folder: string, name: string, ca: { certificate: string; key: string }): Promise<{ certificate: string; key: string }> {
  const certificate = join(folder, `${name}.crt`)
  const key = join(folder, `${name}.key`)
  const request = join(folder, `${name}.csr`)
  const extensions = join(folder, `${name}.ext`)
  await writeFile(extensions, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n')
  await execa('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-subj', `/O=MagickBox tests/CN=${name}`, '-keyout', key, '-out', request])
  await execa('openssl', ['x509', '-req', '-in', request, '-CA', ca.certificate, '-CAkey', ca.key, '-CAcreateserial', '-days', '3', '-sha256', '-extfile', extensions, '-out', certificate])
  return { certificate, key }
}

export async function makeTestPki(folder: string): Promise<TestPki> {
  await mkdir(folder, { recursive: true })
  const ca = await makeCa(folder, 'test-ca')
  const other = await makeCa(folder, 'other-ca')
  return {
    caCertificate: ca.certificate,
    server: await makeLeaf(folder, 'server', ca),
    client: await makeLeaf(folder, 'client', ca),
    otherCaCertificate: other.certificate,
    stranger: await makeLeaf(folder, 'stranger', other),
  }
}
