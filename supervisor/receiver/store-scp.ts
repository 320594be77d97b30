/**
 * @module store-scp
 * The dcmjs-dimse engine of the receiver (`receiver.engine: "dcmjs-dimse"`): one Scp per
 * association, with the data set streamed through the library's store-stream hooks into our
 * writer. What to accept and how to store is the StoreSession's; this file only adapts.
 */
import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import type { Writable } from 'node:stream'
import {
  Scp,
  constants,
  responses,
  type Association,
  type CEchoRequest,
  type CEchoResponse,
  type CStoreRequest,
  type CStoreResponse,
  type PresentationContext,
} from '../dicom/dimse.js'
import { cleanUid } from '../dicom/uid.js'
import { quickAck } from './quick-ack.js'
import type { PendingStore, StoreScpDeps } from './store-session.js'
import { StoreSession } from './store-session.js'

export type { InstanceStoredEvent, StoreScpDeps } from './store-session.js'

// A writable that drops everything (for refused instances: the bytes must still be read).
class DroppingWriter extends EventEmitter {
  write(): boolean {
    return true
  }
  end(): void {}
}

export class StoreScp extends Scp {
  private readonly session: StoreSession
  private readonly pending = new Map<CStoreRequest, PendingStore>()
  private paused = 0
  private readonly requestDeadline: NodeJS.Timeout | undefined

  constructor(
    private readonly socket: Socket,
    deps: StoreScpDeps,
    options: Record<string, unknown>,
    private readonly overLimit?: string,
  ) {
    super(socket, options)
    this.session = new StoreSession(deps, (socket.remoteAddress ?? '').replace(/^::ffff:/, ''))
    // dcmjs-dimse restarts its timer at every byte, so a sender trickling its association request
    // a byte at a time would hold the connection for ever (found by the network campaign): the
    // whole request must arrive within the association timeout.
    const requestMs = Number(options.associationTimeout ?? 30_000)
    this.requestDeadline = setTimeout(() => {
      deps.logger.warn(`association ?@${this.session.callerIP} aborted by the box: no whole association request within ${Math.round(requestMs / 1000)} s`)
      socket.destroy()
    }, requestMs)
    this.requestDeadline.unref()
    socket.once('close', () => clearTimeout(this.requestDeadline))
    socket.on('data', () => {
      quickAck(socket)
      this.session.activity()
    })
    this.on('close', () => void this.finish('connection closed'))
    this.on('networkError', (error: Error) => {
      deps.logger.warn(`${this.session.describe()}: ${error.message}`)
      socket.destroy()
    })
  }

  private finish(how: string): Promise<void> {
    const unfinished = [...this.pending.values()]
    this.pending.clear()
    return this.session.end(how, unfinished)
  }

  override associationRequested(association: Association): void {
    clearTimeout(this.requestDeadline)
    try {
      this.answerAssociation(association)
    } catch (error) {
      // dcmjs-dimse throws from inside its writers on some malformed requests (found by the
      // network campaign): abort this association, never the receiver.
      this.session.deps.logger.warn(`${this.session.describe()} aborted by the box: cannot answer the association request: ${(error as Error).message}`)
      this.socket.destroy()
    }
  }

  private answerAssociation(association: Association): void {
    // Presentation context IDs are odd numbers 1 to 255 (PS3.8 9.3.2.2), so at most 128 of them.
    const ids = association.getPresentationContexts().map((pc) => pc.id)
    if (ids.length > 128 || ids.some((id) => !Number.isInteger(id) || id < 1 || id > 255 || id % 2 === 0)) {
      this.session.deps.logger.warn(`association ${association.getCallingAeTitle()}@${this.socket.remoteAddress ?? '?'} aborted by the box: ${ids.length} presentation contexts, or an ID that is not odd from 1 to 255`)
      this.sendAbort(constants.AbortSource.ServiceProvider, constants.AbortReason.InvalidPduParameter)
      setTimeout(() => this.socket.destroy(), 200).unref()
      return
    }
    const rejection = this.session.associate(association.getCalledAeTitle(), association.getCallingAeTitle(), this.overLimit)
    if (rejection) {
      this.sendAssociationReject(rejection.result, rejection.source, rejection.reason)
      setTimeout(() => this.socket.end(), 500).unref()
      return
    }
    const decided: { abstractSyntax: string; decision: ReturnType<StoreSession['context']> }[] = []
    for (const { id } of association.getPresentationContexts()) {
      const context = association.getPresentationContext(id)
      const decision = this.session.context(context.getAbstractSyntaxUid(), context.getTransferSyntaxUids())
      if (decision.accept) context.setResult(constants.PresentationContextResult.Accept, decision.transferSyntaxUid)
      else {
        context.setResult(
          decision.result === 'abstract-syntax-not-supported'
            ? constants.PresentationContextResult.RejectAbstractSyntaxNotSupported
            : constants.PresentationContextResult.RejectTransferSyntaxesNotSupported,
        )
      }
      decided.push({ abstractSyntax: cleanUid(context.getAbstractSyntaxUid()), decision })
    }
    association.setMaxPduLength(this.session.deps.maxPduLength)
    this.session.accepted(decided)
    this.sendAssociationAccept()
  }

  override associationReleaseRequested(): void {
    this.sendAssociationReleaseResponse()
    void this.finish('released')
  }

  override abort(source: number, reason: number): void {
    void this.finish(`aborted by the sender (source ${source}, reason ${reason})`)
    this.socket.destroy()
  }

  override cEchoRequest(request: CEchoRequest, callback: (response: CEchoResponse) => void): void {
    const response = responses.CEchoResponse.fromRequest(request)
    response.setStatus(constants.Status.Success)
    callback(response)
  }

  private setBackpressure(behind: boolean): void {
    this.paused += behind ? 1 : -1
    if (this.paused > 0) this.socket.pause()
    else this.socket.resume()
  }

  override createStoreWritableStream(context: PresentationContext, request: CStoreRequest): Writable {
    const pending = this.session.begin(request.getAffectedSopClassUid(), request.getAffectedSopInstanceUid(), cleanUid(context.getAcceptedTransferSyntaxUid()), (behind) =>
      this.setBackpressure(behind),
    )
    this.pending.set(request, pending)
    return (pending.writer ?? new DroppingWriter()) as unknown as Writable
  }

  override createDatasetFromStoreWritableStream(_writable: unknown, _context: PresentationContext, callback: (dataset: never) => void): void {
    callback(undefined as never)
  }

  override cStoreRequest(request: CStoreRequest, callback: (response: CStoreResponse) => void): void {
    const pending = this.pending.get(request)
    this.pending.delete(request)
    void this.session.complete(pending).then((failure) => {
      const response = responses.CStoreResponse.fromRequest(request)
      response.setStatus(failure ? failure.status : constants.Status.Success)
      if (failure) response.setErrorComment(failure.message.slice(0, 64))
      callback(response)
    })
  }
}
