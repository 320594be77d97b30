/**
 * @module slowloris
 * Slow senders that try to hold the receiver's associations open, each in a loop until stopped
 * (when the box cuts one off it reconnects and records how long the connection lived):
 *
 * - silent-connect: connects and sends nothing
 * - trickled-request: sends its A-ASSOCIATE-RQ one byte at a time
 * - silent-association: associates, then sends nothing
 * - trickled-data: associates, then sends a C-STORE one byte at a time, never finishing
 *
 * The first three must be cut off by the receiver's request and idle timeouts. The last keeps
 * data flowing, which the receiver honours by design; what bounds it is the limit on
 * associations per caller and in all.
 */
import { connect, type Socket } from 'node:net'
import { associateRQ, datasetPdus, storeCommandPdu, tinyCtDataset } from './wire-messages.js'

export type SlowlorisStyle = 'silent-connect' | 'trickled-request' | 'silent-association' | 'trickled-data'

export interface SlowlorisReport {
  style: SlowlorisStyle
  connections: number
  /** How long each connection the box cut off had lived (ms). */
  cutAfterMs: number[]
  /** The connection open when stopped had lived this long (ms), if any. */
  openAtStopMs: number | undefined
}

export class Slowloris {
  private stopped = false
  private socket: Socket | undefined
  private openedAt = 0
  private readonly report: SlowlorisReport
  private loop: Promise<void> | undefined

  constructor(
    private readonly port: number,
    readonly style: SlowlorisStyle,
    private readonly calledAE: string,
    private readonly everyMs = 500,
  ) {
    this.report = { style, connections: 0, cutAfterMs: [], openAtStopMs: undefined }
  }

  /** Connections the box cut off so far. */
  get cuts(): number {
    return this.report.cutAfterMs.length
  }

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) await this.once()
    })()
  }

  async stop(): Promise<SlowlorisReport> {
    this.stopped = true
    if (this.socket && !this.socket.destroyed) this.report.openAtStopMs = Date.now() - this.openedAt
    this.socket?.destroy()
    await this.loop
    return this.report
  }

  // One connection, until the box closes it or we are stopped.
  private async once(): Promise<void> {
    const socket = connect({ host: '127.0.0.1', port: this.port })
    this.socket = socket
    this.report.connections++
    socket.on('error', () => undefined)
    let closedByBox = false
    const closed = new Promise<void>((resolve) =>
      socket.once('close', () => {
        if (!this.stopped) closedByBox = true
        resolve()
      }),
    )
    await new Promise<void>((resolve) => {
      socket.once('connect', () => resolve())
      socket.once('close', () => resolve())
    })
    this.openedAt = Date.now()
    let answered!: () => void
    const associated = new Promise<void>((resolve) => (answered = resolve))
    socket.on('data', () => answered())
    const trickle = async (bytes: Buffer) => {
      for (let i = 0; i < bytes.length && !socket.destroyed && !this.stopped; i++) {
        socket.write(bytes.subarray(i, i + 1))
        await Promise.race([closed, new Promise((r) => setTimeout(r, this.everyMs))])
      }
    }
    const uid = '2.25.1234567'
    if (this.style === 'trickled-request') await trickle(associateRQ(this.calledAE))
    else if (this.style === 'silent-association' || this.style === 'trickled-data') {
      socket.write(associateRQ(this.calledAE))
      await Promise.race([associated, closed])
      if (this.style === 'trickled-data') await trickle(Buffer.concat([storeCommandPdu(uid), datasetPdus(tinyCtDataset(uid, '1.2.3'))]))
    }
    await closed
    if (closedByBox) this.report.cutAfterMs.push(Date.now() - this.openedAt)
    // Do not hammer the box when it refuses at once.
    if (!this.stopped) await new Promise((r) => setTimeout(r, 50))
  }
}
