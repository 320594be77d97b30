/**
 * @module dicom-listener
 * The receiver's TCP listener: one {@link StoreScp} per connection. `stop()` stops accepting,
 * gives open associations a grace period to finish, then closes them.
 */
import { createServer, type Server, type Socket } from 'node:net'
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
}

export class DicomListener {
  private server: Server | undefined
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

  start(): Promise<void> {
    const scpOptions = {
      connectTimeout: this.options.idleTimeoutMs,
      associationTimeout: Math.min(this.options.idleTimeoutMs, 30_000),
      pduTimeout: this.options.idleTimeoutMs,
    }
    const server = createServer((socket) => {
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
    })
    this.server = server
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject)
        server.on('error', (error) => this.deps.logger.error(`listener error: ${error.message}`))
        resolve()
      })
    })
  }

  // Stop accepting; close open connections after `graceMs`. Idempotent.
  stop(graceMs = 5000): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      const server = this.server
      if (!server) return resolve()
      server.close(() => resolve())
      const deadline = setTimeout(() => {
        for (const socket of this.sockets) socket.destroy()
      }, graceMs)
      deadline.unref()
      if (this.sockets.size === 0) clearTimeout(deadline)
    })
    return this.stopping
  }
}
