/**
 * @module lean-scp
 * The receiver's default DICOM engine (`receiver.engine: "lean"`): one association per
 * connection on the box's own upper-layer code. A data set goes from the socket to the file
 * as slices of the socket's chunks (no copy in JavaScript), command sets are read raw (UIDs as
 * sent), and every protocol violation is answered with A-ABORT. What to accept and how to store
 * is the StoreSession's, as for the dcmjs-dimse engine.
 */
import type { Socket } from 'node:net'
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../dicom/implementation.js'
import { decodeRequest, responseTo, type CommandRequest } from '../dicom/pdu/dimse-command.js'
import {
  decodeAbort,
  decodeAssociateRQ,
  encodeAbort,
  encodeAssociateAC,
  encodeAssociateRJ,
  pDataHeader,
  PduFormatError,
  PDV_COMMAND,
  PDV_LAST,
  RELEASE_RP,
  type AcceptedContext,
} from '../dicom/pdu/pdu-codec.js'
import { PduStreamParser } from '../dicom/pdu/pdu-stream-parser.js'
import { APPLICATION_CONTEXT, PduType } from '../dicom/pdu/pdu-types.js'
import { cleanUid } from '../dicom/uid.js'
import { quickAck } from './quick-ack.js'
import { StoreSession, type PendingStore, type StoreScpDeps } from './store-session.js'
import { sizeText, StoreStatus } from './store-status.js'

const C_STORE_RQ = 0x0001
const C_ECHO_RQ = 0x0030
const UNRECOGNIZED_OPERATION = 0x0211

type Phase = 'awaiting-request' | 'associated' | 'closed'

export interface LeanScpOptions {
  /** A connection must send its A-ASSOCIATE-RQ within this (ms). */
  requestTimeoutMs: number
  /** An association idle this long is aborted (ms). */
  idleTimeoutMs: number
  /** Why there is no room for this association (the request is rejected: local limit exceeded). */
  overLimit?: string
}

interface CurrentStore {
  request: CommandRequest
  contextId: number
  pending: PendingStore | undefined
}

export class LeanScp {
  private readonly session: StoreSession
  private readonly parser: PduStreamParser
  private phase: Phase = 'awaiting-request'
  private readonly contexts = new Map<number, { abstractSyntax: string; transferSyntax: string }>()
  private command: Buffer[] = []
  private pdv: { contextId: number; control: number } | undefined
  private store: CurrentStore | undefined
  /** A data set that is read and thrown away (a command we do not perform). */
  private discarding: CommandRequest | undefined
  private readonly inFlight = new Set<PendingStore>()
  private paused = 0
  private awaitingDrain = false
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly socket: Socket,
    deps: StoreScpDeps,
    private readonly options: LeanScpOptions,
  ) {
    this.session = new StoreSession(deps, (socket.remoteAddress ?? '').replace(/^::ffff:/, ''))
    this.parser = new PduStreamParser(
      {
        pdu: (type, body) => this.onPdu(type, body),
        pdvStart: (contextId, control) => this.onPdvStart(contextId, control),
        pdvData: (slice, end) => this.onPdvData(slice, end),
      },
      deps.maxPduLength,
    )
    this.arm(options.requestTimeoutMs, 'no association request')
    socket.on('data', (chunk: Buffer) => {
      quickAck(socket)
      if (this.phase === 'closed') return
      try {
        this.parser.push(chunk)
      } catch (error) {
        this.abort(error instanceof PduFormatError ? `malformed PDU: ${error.message}` : `receiver error: ${(error as Error).message}`, error instanceof PduFormatError ? 6 : 0)
        return
      }
      if (this.phase === 'associated') {
        this.session.activity()
        this.arm(this.options.idleTimeoutMs, 'idle')
      }
    })
    socket.on('close', () => void this.close('connection closed'))
    socket.on('error', () => undefined)
  }

  private arm(ms: number, what: string): void {
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.abort(`${what} for ${Math.round(ms / 1000)} s`, 0), ms)
    this.timer.unref()
  }

  private send(bytes: Buffer): void {
    if (this.phase === 'closed' || this.socket.destroyed) return
    // A peer that does not read our answers (their bytes would pile up in memory): read no more
    // of its requests until it has taken them.
    if (!this.socket.write(bytes) && !this.awaitingDrain) {
      this.awaitingDrain = true
      this.setBackpressure(true)
      this.socket.once('drain', () => {
        this.awaitingDrain = false
        this.setBackpressure(false)
      })
    }
  }

  // A-ABORT (service provider) and close; `why` goes to the log.
  private abort(why: string, reason: number): void {
    if (this.phase === 'closed') return
    this.session.deps.logger.warn(`${this.session.describe()} aborted by the box: ${why}`)
    this.send(encodeAbort(2, reason))
    this.socket.end()
    setTimeout(() => this.socket.destroy(), 1000).unref()
    void this.close(`aborted: ${why}`)
  }

  private async close(how: string): Promise<void> {
    if (this.phase === 'closed') return
    this.phase = 'closed'
    clearTimeout(this.timer)
    const unfinished = this.store?.pending ? [this.store.pending] : []
    this.store = undefined
    await this.session.end(how, unfinished)
  }

  private onPdu(type: number, body: Buffer): void {
    if (type === PduType.AssociateRQ && this.phase === 'awaiting-request') return this.onAssociate(body)
    if (type === PduType.ReleaseRQ && this.phase === 'associated') {
      this.send(RELEASE_RP)
      this.socket.end()
      void this.close('released')
      return
    }
    if (type === PduType.Abort) {
      const { source, reason } = decodeAbort(body)
      this.socket.destroy()
      void this.close(`aborted by the sender (source ${source}, reason ${reason})`)
      return
    }
    this.abort(`unexpected PDU type ${type} ${this.phase === 'awaiting-request' ? 'before the association' : 'during the association'}`, 2)
  }

  private onAssociate(body: Buffer): void {
    const request = decodeAssociateRQ(body)
    const reject = (result: number, source: number, reason: number) => {
      this.send(encodeAssociateRJ(result, source, reason))
      this.socket.end()
      setTimeout(() => this.socket.destroy(), 1000).unref()
      this.phase = 'closed'
      clearTimeout(this.timer)
    }
    if (!(request.protocolVersion & 1)) {
      this.session.deps.logger.warn(`rejected an association from ${request.callingAE}: protocol version ${request.protocolVersion} is not supported`)
      return reject(1, 2, 2)
    }
    if (request.applicationContext !== APPLICATION_CONTEXT) {
      this.session.deps.logger.warn(`rejected an association from ${request.callingAE}: application context ${request.applicationContext} is not DICOM's`)
      return reject(1, 1, 2)
    }
    const rejection = this.session.associate(request.calledAE, request.callingAE, this.options.overLimit)
    if (rejection) return reject(rejection.result, rejection.source, rejection.reason)
    const answers: AcceptedContext[] = []
    const decided: { abstractSyntax: string; decision: ReturnType<StoreSession['context']> }[] = []
    for (const pc of request.contexts) {
      const decision = this.session.context(pc.abstractSyntax, pc.transferSyntaxes)
      decided.push({ abstractSyntax: cleanUid(pc.abstractSyntax), decision })
      if (decision.accept) {
        this.contexts.set(pc.id, { abstractSyntax: cleanUid(pc.abstractSyntax), transferSyntax: decision.transferSyntaxUid })
        answers.push({ id: pc.id, result: 0, transferSyntax: decision.transferSyntaxUid })
      } else answers.push({ id: pc.id, result: decision.result === 'abstract-syntax-not-supported' ? 3 : 4, transferSyntax: pc.transferSyntaxes[0] ?? '' })
    }
    this.session.accepted(decided)
    this.send(
      encodeAssociateAC(request, answers, {
        maxPduLength: this.session.deps.maxPduLength,
        implementationClassUid: IMPLEMENTATION_CLASS_UID,
        implementationVersionName: IMPLEMENTATION_VERSION_NAME,
      }),
    )
    this.phase = 'associated'
    this.arm(this.options.idleTimeoutMs, 'idle')
  }

  private onPdvStart(contextId: number, control: number): void {
    if (this.phase !== 'associated') throw new PduFormatError('P-DATA-TF before the association was accepted')
    if (!this.contexts.has(contextId)) throw new PduFormatError(`presentation context ${contextId} was not accepted`)
    const isCommand = (control & PDV_COMMAND) !== 0
    if (isCommand && (this.store || this.discarding)) throw new PduFormatError('a command arrived before the data set of the previous one was complete')
    if (!isCommand) {
      const expected = this.store?.contextId ?? (this.discarding ? contextId : undefined)
      if (expected === undefined) throw new PduFormatError('a data set arrived without a command announcing it')
      if (expected !== contextId) throw new PduFormatError(`data set fragment on context ${contextId}, its command was on ${expected}`)
    }
    this.pdv = { contextId, control }
  }

  private onPdvData(slice: Buffer, end: boolean): void {
    const pdv = this.pdv!
    const last = end && (pdv.control & PDV_LAST) !== 0
    if (pdv.control & PDV_COMMAND) {
      this.command.push(slice)
      if (this.command.reduce((n, b) => n + b.length, 0) > 64 * 1024) throw new PduFormatError('command set larger than 64 KiB')
      if (last) {
        const bytes = Buffer.concat(this.command)
        this.command = []
        this.onCommand(pdv.contextId, decodeRequest(bytes))
      }
      return
    }
    if (this.discarding) {
      if (last) {
        const request = this.discarding
        this.discarding = undefined
        this.respond(pdv.contextId, request, UNRECOGNIZED_OPERATION, 'operation not supported by this SCP')
      }
      return
    }
    const store = this.store!
    const writer = store.pending?.writer
    writer?.write(slice)
    if (writer?.overLimit) {
      this.abort(`instance ${this.session.deps.logger.ids.uid(store.pending!.sopInstanceUID.slice(0, 64))} is larger than the ${sizeText(this.session.deps.maxInstanceBytes)} the receiver takes (receiver.maxInstanceBytes)`, 0)
      return
    }
    if (last) {
      this.store = undefined
      void this.finishStore(store)
    }
  }

  private onCommand(contextId: number, request: CommandRequest): void {
    if (request.commandField === C_ECHO_RQ) return this.respond(contextId, request, 0)
    if (request.commandField === C_STORE_RQ) {
      if (!request.hasDataset) return this.respond(contextId, request, StoreStatus.CannotUnderstand, 'C-STORE without a data set')
      const context = this.contexts.get(contextId)!
      const pending = this.session.begin(request.affectedSopClassUid, request.affectedSopInstanceUid, context.transferSyntax, (behind) => this.setBackpressure(behind))
      this.store = { request, contextId, pending }
      return
    }
    if (request.hasDataset) this.discarding = request
    else this.respond(contextId, request, UNRECOGNIZED_OPERATION, 'operation not supported by this SCP')
  }

  private async finishStore(store: CurrentStore): Promise<void> {
    const pending = store.pending!
    this.inFlight.add(pending)
    try {
      const failure = await this.session.complete(pending)
      this.respond(store.contextId, store.request, failure ? failure.status : 0, failure?.message)
    } finally {
      this.inFlight.delete(pending)
    }
  }

  private respond(contextId: number, request: CommandRequest, status: number, comment?: string): void {
    const command = responseTo(request, status, status === 0 ? '' : comment)
    this.send(Buffer.concat([pDataHeader(contextId, PDV_COMMAND | PDV_LAST, command.length), command]))
  }

  private setBackpressure(behind: boolean): void {
    this.paused += behind ? 1 : -1
    if (this.paused > 0) this.socket.pause()
    else this.socket.resume()
  }
}
