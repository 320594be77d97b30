/**
 * @module dicom-listener
 * The receiver's listeners: the DICOM port in clear and, when the box has a certificate, the
 * DICOM TLS port (TLS 1.2 or later, as BCP 195 asks; a client certificate required when
 * `tls.clientCA` is set). One association engine per connection, the same on both ports, and
 * the association limits count both. `stop()` stops accepting, gives open associations a grace
 * period to finish, then closes them.
 */
import { createServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, type TLSSocket } from 'node:tls'
import type { Logger } from '../logging/logger.js'
import type { TlsMaterial } from '../tls/tls-material.js'
import { LeanScp } from './lean-scp.js'
import { StoreScp } from './store-scp.js'
import type { StoreScpDeps } from './store-session.js'

export interface DicomListenerOptions {
  port: number
  /** Bind address. @defaultValue all interfaces */
  host?: string
  /** Abort an association idle this long (ms). */
  idleTimeoutMs: number
  /** @defaultValue 'lean' */
  engine?: 'lean' | 'dcmjs-dimse'
  /** Associations this listener serves at once, in all and per caller address. */
  maxAssociations?: number
  maxAssociationsPerIP?: number
  /** The DICOM TLS port and the box's certificate; no TLS port without it. */
  tls?: { port: number; material: TlsMaterial }
}

// Handshakes that fail (a clear-text sender on the TLS port, an unknown client certificate) are
// logged once per caller and reason per minute, so a scanner cannot flood the log.
function tlsFailureLogger(logger: Logger): (address: string, error: Error) => void {
  const recent = new Map<string, number>()
  return (address, error) => {
    const key = `${address} ${error.message}`
    const now = Date.now()
    if ((recent.get(key) ?? 0) > now - 60_000) return
    if (recent.size > 1000) recent.clear()
    recent.set(key, now)
    logger.warn(`TLS handshake from ${address} failed: ${error.message}`)
  }
}

export class DicomListener {
  private server: Server | undefined
  private tlsServer: Server | undefined
  private readonly sockets = new Set<Socket>()
  private readonly perAddress = new Map<string, number>()
  private stopping: Promise<void> | undefined

  constructor(
    private readonly deps: StoreScpDeps,
    private readonly options: DicomListenerOptions,
  ) {}

  get port(): number {
    const address = this.server?.address()
    return typeof address === 'object' && address ? address.port : this.options.port
  }

  /** The DICOM TLS port, when it listens. */
  get tlsPort(): number | undefined {
    const address = this.tlsServer?.address()
    return typeof address === 'object' && address ? address.port : undefined
  }

  start(): Promise<void> {
    const scpOptions = {
      connectTimeout: this.options.idleTimeoutMs,
      associationTimeout: Math.min(this.options.idleTimeoutMs, 30_000),
      pduTimeout: this.options.idleTimeoutMs,
    }
    const serve = (socket: Socket) => {
      socket.setNoDelay(true)
      const address = (socket.remoteAddress ?? '').replace(/^::ffff:/, '')
      const fromHere = (this.perAddress.get(address) ?? 0) + 1
      const overLimit =
        this.sockets.size + 1 > (this.options.maxAssociations ?? Infinity)
          ? `already ${this.sockets.size} associations at once (receiver.maxAssociations)`
          : fromHere > (this.options.maxAssociationsPerIP ?? Infinity)
            ? `already ${fromHere - 1} associations from ${address} at once (receiver.maxAssociationsPerIP)`
            : undefined
      this.sockets.add(socket)
      this.perAddress.set(address, fromHere)
      socket.on('close', () => {
        this.sockets.delete(socket)
        const left = (this.perAddress.get(address) ?? 1) - 1
        if (left > 0) this.perAddress.set(address, left)
        else this.perAddress.delete(address)
      })
      socket.on('error', () => undefined)
      try {
        if (this.options.engine === 'dcmjs-dimse') new StoreScp(socket, this.deps, scpOptions, overLimit)
        else new LeanScp(socket, this.deps, { requestTimeoutMs: scpOptions.associationTimeout, idleTimeoutMs: this.options.idleTimeoutMs, overLimit })
      } catch (error) {
        this.deps.logger.error(`could not start an association from ${socket.remoteAddress}: ${(error as Error).message}`)
        socket.destroy()
      }
    }
    this.server = createServer(serve)
    const tls = this.options.tls
    if (!tls) return this.listen(this.server, this.options.port)
    const material = tls.material
    const tlsServer = createTlsServer(
      {
        cert: material.certificate,
        key: material.key,
        minVersion: 'TLSv1.2',
        ca: material.clientCA,
        requestCert: material.clientCA !== undefined,
        rejectUnauthorized: material.clientCA !== undefined,
        handshakeTimeout: Math.min(this.options.idleTimeoutMs, 30_000),
      },
      (socket: TLSSocket) => serve(socket),
    )
    const failed = tlsFailureLogger(this.deps.logger)
    tlsServer.on('tlsClientError', (error, socket) => failed((socket.remoteAddress ?? '?').replace(/^::ffff:/, ''), error))
    this.tlsServer = tlsServer
    return Promise.all([this.listen(this.server, this.options.port), this.listen(tlsServer, tls.port)]).then(() => undefined)
  }

  private listen(server: Server, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, this.options.host, () => {
        server.off('error', reject)
        server.on('error', (error) => this.deps.logger.error(`listener error: ${error.message}`))
        resolve()
      })
    })
  }

  // Stop accepting; close open connections after `graceMs`. Idempotent.
  stop(graceMs = 5000): Promise<void> {
    this.stopping ??= (async () => {
      const servers = [this.server, this.tlsServer].filter((s): s is Server => s !== undefined)
      if (servers.length === 0) return
      const closed = Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))))
      const deadline = setTimeout(() => {
        for (const socket of this.sockets) socket.destroy()
      }, graceMs)
      deadline.unref()
      await closed
      clearTimeout(deadline)
    })()
    return this.stopping
  }
}
