/**
 * @module scu-association
 * The box's own DICOM client (SCU): one association to a destination, C-ECHO, and C-STORE of a
 * Part-10 file's data set streamed from disk exactly as stored (never parsed, never re-encoded),
 * one request at a time, with connect, association and response timeouts; over TLS when the
 * destination asks for it.
 */
import { connect, type Socket } from 'node:net'
import { connect as connectTls } from 'node:tls'
import { tlsConnectionOptions, type DestinationTls } from '../tls/destination-tls.js'
import { open } from 'node:fs/promises'
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './implementation.js'
import { cEchoRequest, cStoreRequest, decodeResponse, VERIFICATION_SOP_CLASS, type CommandResponse } from './pdu/dimse-command.js'
import {
  decodeAbort,
  decodeAssociateAC,
  decodeAssociateRJ,
  decodePdvs,
  encodeAbort,
  encodeAssociateRQ,
  pDataHeader,
  PDV_COMMAND,
  PDV_LAST,
  RELEASE_RP,
  RELEASE_RQ,
  type ProposedContext,
} from './pdu/pdu-codec.js'
import { PduReader, type RawPdu } from './pdu/pdu-reader.js'
import { abortText, ContextResult, PduType, rejectText } from './pdu/pdu-types.js'

export interface ScuTarget {
  host: string
  port: number
  calledAE: string
  callingAE: string
  connectTimeoutMs: number
  responseTimeoutMs: number
  /** The largest PDU we send and receive. */
  maxPduLength: number
  /** Speak TLS (file paths absolute). */
  tls?: DestinationTls
}

/** The association could not be set up, or broke; `permanent` when retrying cannot help. */
export class AssociationError extends Error {
  override name = 'AssociationError'
  constructor(
    message: string,
    readonly permanent = false,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export interface ContextRequest {
  abstractSyntax: string
  transferSyntax: string
}

export interface StoreItem {
  path: string
  datasetOffset: number
  fileSize: number
  sopClassUid: string
  sopInstanceUid: string
  transferSyntaxUid: string
}

type Waiter = { resolve: (value: RawPdu) => void; reject: (error: Error) => void }

export class ScuAssociation {
  private readonly reader: PduReader
  private waiter: Waiter | undefined
  private readonly queued: RawPdu[] = []
  private closedError: Error | undefined
  private peerMaxPdu = 0
  private accepted = new Map<string, number>()
  private messageId = 0
  private command: Buffer[] = []

  private constructor(
    private readonly socket: Socket,
    private readonly target: ScuTarget,
  ) {
    this.reader = new PduReader(Math.max(target.maxPduLength, 1024 * 1024) + 1024)
    socket.on('data', (chunk) => {
      try {
        for (const pdu of this.reader.push(chunk)) this.deliver(pdu)
      } catch (error) {
        this.fail(new AssociationError(`unreadable data from the destination: ${(error as Error).message}`))
        socket.destroy()
      }
    })
    socket.on('error', (error) => this.fail(new AssociationError(`connection error: ${error.message}`, false, { cause: error })))
    socket.on('close', () => this.fail(new AssociationError('the destination closed the connection')))
  }

  // Connect and negotiate; contexts are proposed one per (abstract syntax, transfer syntax) pair.
  static async open(target: ScuTarget, contexts: ContextRequest[]): Promise<ScuAssociation> {
    if (contexts.length === 0 || contexts.length > 128) throw new AssociationError(`cannot propose ${contexts.length} presentation contexts (1 to 128)`, true)
    let tlsOptions
    try {
      tlsOptions = target.tls && tlsConnectionOptions(target.tls, target.host)
    } catch (error) {
      throw new AssociationError((error as Error).message, false, { cause: error })
    }
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = tlsOptions ? connectTls({ ...tlsOptions, port: target.port }) : connect({ host: target.host, port: target.port })
      const timer = setTimeout(() => {
        s.destroy()
        reject(new AssociationError(`no ${tlsOptions ? 'TLS ' : ''}connection to ${target.host}:${target.port} within ${target.connectTimeoutMs} ms`))
      }, target.connectTimeoutMs)
      s.once(tlsOptions ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer)
        s.setNoDelay(true)
        resolve(s)
      })
      s.once('error', (error) => {
        clearTimeout(timer)
        const what = tlsOptions && /certificate|self[- ]signed|altnames|TLS|SSL|handshake|alert/i.test(error.message) ? 'TLS with' : 'connect to'
        reject(new AssociationError(`cannot ${what} ${target.host}:${target.port}: ${error.message}`, false, { cause: error }))
      })
    })
    const association = new ScuAssociation(socket, target)
    try {
      await association.negotiate(contexts)
    } catch (error) {
      socket.destroy()
      throw error
    }
    return association
  }

  private deliver(pdu: RawPdu): void {
    if (pdu.type === PduType.Abort) {
      const { source, reason } = decodeAbort(pdu.body)
      this.fail(new AssociationError(abortText(source, reason)))
      this.socket.destroy()
      return
    }
    if (pdu.type === PduType.ReleaseRQ) {
      this.socket.write(RELEASE_RP)
      return
    }
    const waiter = this.waiter
    this.waiter = undefined
    if (waiter) waiter.resolve(pdu)
    else if (this.queued.length < 16) this.queued.push(pdu)
    else {
      this.fail(new AssociationError('the destination sends PDUs nobody asked for'))
      this.socket.write(encodeAbort(0, 2))
      this.socket.destroy()
    }
  }

  private fail(error: Error): void {
    this.closedError ??= error
    const waiter = this.waiter
    this.waiter = undefined
    waiter?.reject(this.closedError)
  }

  private next(timeoutMs: number, what: string): Promise<RawPdu> {
    const early = this.queued.shift()
    if (early) return Promise.resolve(early)
    if (this.closedError) return Promise.reject(this.closedError)
    return new Promise<RawPdu>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined
        this.abort()
        reject(new AssociationError(`no ${what} from the destination within ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiter = {
        resolve: (pdu) => {
          clearTimeout(timer)
          resolve(pdu)
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      }
    })
  }

  private async negotiate(requests: ContextRequest[]): Promise<void> {
    const proposed: ProposedContext[] = requests.map((r, i) => ({ id: 2 * i + 1, abstractSyntax: r.abstractSyntax, transferSyntaxes: [r.transferSyntax] }))
    const reply = this.next(this.target.connectTimeoutMs, 'association answer')
    this.socket.write(
      encodeAssociateRQ({
        calledAE: this.target.calledAE,
        callingAE: this.target.callingAE,
        contexts: proposed,
        maxPduLength: this.target.maxPduLength,
        implementationClassUid: IMPLEMENTATION_CLASS_UID,
        implementationVersionName: IMPLEMENTATION_VERSION_NAME,
      }),
    )
    const pdu = await reply
    if (pdu.type === PduType.AssociateRJ) {
      const { result, source, reason } = decodeAssociateRJ(pdu.body)
      throw new AssociationError(`association rejected by ${this.target.calledAE}@${this.target.host}:${this.target.port}: ${rejectText(result, source, reason)}`, result === 1)
    }
    if (pdu.type !== PduType.AssociateAC) throw new AssociationError(`expected an association answer, got PDU type ${pdu.type}`)
    const accept = decodeAssociateAC(pdu.body)
    this.peerMaxPdu = accept.maxPduLength
    for (const pc of proposed) {
      const answer = accept.contexts.get(pc.id)
      if (answer?.result === ContextResult.Acceptance && answer.transferSyntax === pc.transferSyntaxes[0]) {
        this.accepted.set(`${pc.abstractSyntax}|${pc.transferSyntaxes[0]}`, pc.id)
      }
    }
  }

  // The context id accepted for this class and syntax, if any.
  contextFor(abstractSyntax: string, transferSyntax: string): number | undefined {
    return this.accepted.get(`${abstractSyntax}|${transferSyntax}`)
  }

  private get maxPdvData(): number {
    const limit = this.peerMaxPdu > 0 ? Math.min(this.peerMaxPdu, this.target.maxPduLength) : this.target.maxPduLength
    return Math.max(limit - 6, 1024)
  }

  private async write(buffer: Buffer): Promise<void> {
    if (this.closedError) throw this.closedError
    this.socket.write(buffer)
    await this.drained()
  }

  // Wait while the socket's buffer is full (the destination reads slower than we send).
  private async drained(): Promise<void> {
    if (this.closedError) throw this.closedError
    if (this.socket.writableNeedDrain) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          this.socket.off('close', onClose)
          resolve()
        }
        const onClose = () => {
          this.socket.off('drain', onDrain)
          reject(this.closedError ?? new AssociationError('the destination closed the connection'))
        }
        this.socket.once('drain', onDrain)
        this.socket.once('close', onClose)
      })
    }
  }

  private async sendCommand(contextId: number, command: Buffer): Promise<void> {
    await this.write(Buffer.concat([pDataHeader(contextId, PDV_COMMAND | PDV_LAST, command.length), command]))
  }

  // Read PDUs until a complete response command set has arrived.
  private async readResponse(expectField: number): Promise<CommandResponse> {
    this.command = []
    for (;;) {
      const pdu = await this.next(this.target.responseTimeoutMs, 'response')
      if (pdu.type !== PduType.PData) throw new AssociationError(`expected a response, got PDU type ${pdu.type}`)
      for (const pdv of decodePdvs(pdu.body)) {
        if (!(pdv.control & PDV_COMMAND)) continue // a response data set: not expected for C-STORE/C-ECHO, ignored
        this.command.push(Buffer.from(pdv.data))
        if (pdv.control & PDV_LAST) {
          const response = decodeResponse(Buffer.concat(this.command))
          if (response.commandField !== expectField) throw new AssociationError(`expected command 0x${expectField.toString(16)}, got 0x${response.commandField.toString(16)}`)
          return response
        }
      }
    }
  }

  async echo(): Promise<CommandResponse> {
    const contextId = this.contextFor(VERIFICATION_SOP_CLASS, '1.2.840.10008.1.2')
    if (contextId === undefined) throw new AssociationError('the destination did not accept the Verification SOP class', true)
    await this.sendCommand(contextId, cEchoRequest(this.nextMessageId()))
    return this.readResponse(0x8030)
  }

  private nextMessageId(): number {
    this.messageId = (this.messageId % 65535) + 1
    return this.messageId
  }

  // Send one instance's data set as stored (from `dataset` when it was read ahead, else from the file); resolves with the response.
  async store(item: StoreItem, contextId: number, dataset?: Buffer): Promise<CommandResponse> {
    await this.sendCommand(contextId, cStoreRequest(this.nextMessageId(), item.sopClassUid, item.sopInstanceUid))
    const chunkSize = this.maxPdvData
    if (dataset) {
      let position = 0
      do {
        const size = Math.min(chunkSize, dataset.length - position)
        if (this.closedError) throw this.closedError
        this.socket.cork()
        this.socket.write(pDataHeader(contextId, position + size === dataset.length ? PDV_LAST : 0, size))
        this.socket.write(dataset.subarray(position, position + size))
        this.socket.uncork()
        position += size
        await this.drained()
      } while (position < dataset.length)
      return this.readResponse(0x8001)
    }
    const handle = await open(item.path, 'r')
    try {
      const total = item.fileSize - item.datasetOffset
      let position = item.datasetOffset
      let remaining = total
      do {
        const size = Math.min(chunkSize, remaining)
        const chunk = Buffer.allocUnsafe(size)
        const { bytesRead } = await handle.read(chunk, 0, size, position)
        if (bytesRead !== size) throw new AssociationError(`${item.path} changed while it was being sent`)
        remaining -= size
        position += size
        if (this.closedError) throw this.closedError
        this.socket.cork()
        this.socket.write(pDataHeader(contextId, remaining === 0 ? PDV_LAST : 0, size))
        this.socket.write(chunk)
        this.socket.uncork()
        await this.drained()
      } while (remaining > 0)
    } finally {
      await handle.close()
    }
    return this.readResponse(0x8001)
  }

  // Release the association politely (abort if the destination does not answer).
  async release(): Promise<void> {
    if (this.closedError) return
    try {
      const reply = this.next(this.target.responseTimeoutMs, 'release answer')
      this.socket.write(RELEASE_RQ)
      await reply
    } catch {
      // a destination that does not answer a release is aborted below
    } finally {
      this.socket.destroy()
    }
  }

  abort(): void {
    if (!this.socket.destroyed) {
      this.socket.write(encodeAbort(0, 0))
      this.socket.destroy()
    }
    this.fail(new AssociationError('association aborted'))
  }
}
