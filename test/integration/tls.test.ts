/**
 * TLS on every link that leaves the box, against dcmtk's own TLS peers: DICOM TLS in (storescu
 * +tls, client certificates required by a CA), DICOM TLS out (to storescp +tls, with our client
 * certificate, and a clear failure when the destination cannot be verified), the web interface
 * over HTTPS only, a self-signed certificate made on request, and a refusal to start with a key
 * that does not fit.
 */
import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import { request as httpsRequest } from 'node:https'
import { request as httpRequest } from 'node:http'
import { join, resolve } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import { after, before, describe, it } from 'node:test'
import { execa } from 'execa'
import { BoxProcess } from '../helpers/box-process.js'
import { bySopInstance } from '../helpers/dataset-bytes.js'
import { echoscu, Storescp, storescu } from '../helpers/dicom-peers.js'
import { COPY_INPUT, writeProcessStreams } from '../helpers/fixture-streams.js'
import { freePort } from '../helpers/ports.js'
import { CT_TEMPLATE, makeStudy } from '../helpers/study-fixtures.js'
import { tempFolder } from '../helpers/temp-folder.js'
import { makeTestPki, type TestPki } from '../helpers/test-pki.js'
import { waitFor } from '../helpers/wait-for.js'

const MAIN = resolve(import.meta.dirname, '..', '..', 'dist', 'supervisor', 'main.js')

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function httpsGet(port: number, path: string, ca: string, method = 'GET', body = ''): Promise<Answer> {
  return new Promise((resolvePromise, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, method, ca, headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {} }, (res) => {
      let text = ''
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

function httpGet(port: number, path: string): Promise<Answer> {
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
      let text = ''
      res.on('data', (chunk) => (text += chunk))
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: text }))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', reject)
    req.end()
  })
}

describe('TLS', () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  let pki: TestPki
  let box: BoxProcess
  let peer: Storescp
  let tlsPort: number
  let study: string[]
  const tlsClient = () => ['+tls', pki.client.key, pki.client.certificate, '+cf', pki.caCertificate]

  before(async () => {
    temp = await tempFolder()
    pki = await makeTestPki(join(temp.path, 'pki'))
    const streams = join(temp.path, 'streams')
    await writeProcessStreams(streams, [
      { aeTitle: 'COPY', script: COPY_INPUT },
      { aeTitle: 'UNTRUSTED', script: COPY_INPUT },
    ])
    // A PACS that speaks only TLS and wants a client certificate from our CA (dcmtk's default -rc).
    peer = await Storescp.start(join(temp.path, 'peer'), ['+tls', pki.server.key, pki.server.certificate, '+cf', pki.caCertificate], {
      echo: ['+tls', pki.client.key, pki.client.certificate, '+cf', pki.caCertificate],
    })
    tlsPort = await freePort()
    const destination = (ca: string) => ({
      IP: '127.0.0.1',
      PORT: peer.port,
      AETitleTo: 'TLSPEER',
      tls: { ca, certificate: pki.client.certificate, key: pki.client.key },
    })
    box = await BoxProcess.start({
      dataDir: join(temp.path, 'data'),
      streamsDir: streams,
      settings: {
        tls: { certificate: pki.server.certificate, key: pki.server.key, dicomPort: tlsPort, clientCA: pki.caCertificate },
        delivery: { maxAttempts: 1 },
      },
      routing: {
        routing: [
          { name: 'tls-peer', AETitleIn: '^COPY$', send: [{ '.*': destination(pki.caCertificate) }] },
          { name: 'untrusted-peer', AETitleIn: '^UNTRUSTED$', send: [{ '.*': destination(pki.otherCaCertificate) }] },
        ],
      },
    })
    study = await makeStudy(CT_TEMPLATE, 4, join(temp.path, 'study'))
  })
  after(async () => {
    await box?.stop()
    await peer?.stop()
    await temp?.remove()
  })

  it('receives over DICOM TLS from storescu +tls, sends on over TLS with our client certificate, and keeps every byte', async () => {
    const sent = await storescu(tlsPort, 'COPY', study, tlsClient())
    assert.equal(sent.exitCode, 0, sent.output)
    const [job] = await box.waitForFinishedJobs(1)
    assert.equal(job!.state, 'done', JSON.stringify(job!.deliveries))
    const original = await bySopInstance(study)
    const received = await bySopInstance(await box.inputFiles(job!.id))
    const delivered = await bySopInstance(await peer.files())
    assert.equal(received.size, 4)
    assert.equal(delivered.size, 4)
    for (const [uid, file] of original) {
      assert.ok(received.get(uid)!.bytes.equals(file.bytes), `${uid} stored byte-exact`)
      assert.ok(delivered.get(uid)!.bytes.equals(file.bytes), `${uid} delivered byte-exact`)
    }
    assert.match(await box.log('receiver'), /DICOM TLS on port \d+ \(client certificates required\)/)
  })

  it('refuses TLS callers without a certificate from the configured CA, and clear text on the TLS port', async () => {
    const anonymous = await storescu(tlsPort, 'COPY', study.slice(0, 1), ['+tla', '+cf', pki.caCertificate])
    assert.notEqual(anonymous.exitCode, 0, 'no client certificate')
    const stranger = await storescu(tlsPort, 'COPY', study.slice(0, 1), ['+tls', pki.stranger.key, pki.stranger.certificate, '+cf', pki.caCertificate])
    assert.notEqual(stranger.exitCode, 0, 'a certificate from another CA')
    const clear = await storescu(tlsPort, 'COPY', study.slice(0, 1))
    assert.notEqual(clear.exitCode, 0, 'clear text on the TLS port')
    await waitFor('the refusals in the receiver log', async () => /TLS handshake from 127\.0\.0\.1 failed/.test(await box.log('receiver')), 10_000)
    assert.equal((await echoscu(box.port, 'MAGICKBOX')).exitCode, 0, 'the clear-text port still answers')
    assert.equal((await echoscu(tlsPort, 'MAGICKBOX', tlsClient())).exitCode, 0, 'and the TLS port answers a trusted caller')
    assert.equal((await box.jobs()).length, 1, 'no job from a refused caller')
  })

  it('fails a delivery to a destination it cannot verify, and says why', async () => {
    const sent = await storescu(tlsPort, 'UNTRUSTED', study.slice(0, 1), tlsClient())
    assert.equal(sent.exitCode, 0, sent.output)
    await waitFor('the untrusted delivery to give up', async () => (await box.jobs()).some((j) => j.stream === 'UNTRUSTED' && j.state === 'failed'), 60_000)
    const job = (await box.jobs()).find((j) => j.stream === 'UNTRUSTED')!
    assert.match(job.deliveries[0]!.lastError ?? '', /TLS with 127\.0\.0\.1:\d+: .*(certificate|self.signed)/i)
    assert.equal((await peer.files()).length, 4, 'nothing reached the destination unverified')
  })

  it('serves the web interface over HTTPS only, with HSTS and a Secure session cookie', async () => {
    const ca = await readFile(pki.caCertificate, 'utf8')
    const page = await httpsGet(box.webPort, '/login', ca)
    assert.equal(page.status, 200)
    assert.match(String(page.headers['strict-transport-security']), /max-age=\d+/)
    const login = await httpsGet(box.webPort, '/login', ca, 'POST', new URLSearchParams({ user: 'nobody', password: 'wrong password 1', next: '/' }).toString())
    assert.equal(login.status, 401)
    const password = (await readFile(join(box.options.dataDir, 'initial-admin-password'), 'utf8')).trim()
    const admin = await httpsGet(box.webPort, '/login', ca, 'POST', new URLSearchParams({ user: 'admin', password, next: '/' }).toString())
    assert.match(String(admin.headers['set-cookie']), /mb_session=[^;]+;.*Secure/i)
    await assert.rejects(httpGet(box.webPort, '/login'), 'clear HTTP gets no page')
  })

  it('makes a self-signed certificate on request and serves DICOM TLS and HTTPS with it', async () => {
    const dataDir = join(temp.path, 'self-signed')
    const port = await freePort()
    const own = await BoxProcess.start({ dataDir, streamsDir: join(temp.path, 'streams'), settings: { tls: { selfSigned: true, dicomPort: port } } })
    try {
      const certificate = new X509Certificate(await readFile(join(dataDir, 'tls', 'self-signed.crt')))
      assert.equal((await stat(join(dataDir, 'tls', 'self-signed.key'))).mode & 0o777, 0o600, 'the key is private')
      const served = await new Promise<string>((done, fail) => {
        const socket = tlsConnect({ host: '127.0.0.1', port: own.webPort, rejectUnauthorized: false }, () => {
          done(socket.getPeerX509Certificate()!.fingerprint256)
          socket.destroy()
        })
        socket.on('error', fail)
      })
      assert.equal(served, certificate.fingerprint256)
      const echo = await echoscu(port, 'MAGICKBOX', ['+tla', '+cf', join(dataDir, 'tls', 'self-signed.crt')])
      assert.equal(echo.exitCode, 0, echo.output)
      assert.match(await own.log('supervisor'), /TLS certificate \(self-signed\).*SHA-256/)
    } finally {
      await own.stop()
    }
  })

  it('refuses to start, saying which file is wrong, when the key does not belong to the certificate', async () => {
    const dataDir = join(temp.path, 'mismatch')
    const settings = { statusPort: await freePort(), webPort: await freePort(), tls: { certificate: pki.server.certificate, key: pki.client.key } }
    await (await import('node:fs/promises')).mkdir(dataDir, { recursive: true })
    await (await import('node:fs/promises')).writeFile(join(dataDir, 'settings.json'), JSON.stringify(settings))
    const run = await execa(process.execPath, [MAIN], {
      env: { ...process.env, MAGICKBOX_DATA: dataDir, MAGICKBOX_STREAMS: join(temp.path, 'streams'), MAGICKBOX_LOG_CONSOLE: '0' },
      reject: false,
      timeout: 30_000,
    })
    assert.equal(run.exitCode, 2, run.stderr)
    assert.match(run.stderr, /the key .*client\.key does not go with .*server\.crt/)
  })
})
