/**
 * @module store-scp
 * One association of the receiver: C-ECHO and C-STORE over dcmjs-dimse, with the data set
 * streamed byte-exact into a temp file behind our own file meta header, checked, and renamed into
 * its study group before Success is answered.
 */
import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import type { Writable } from 'node:stream'
import { unlink } from 'node:fs/promises'
import { MalformedDatasetError } from '../dicom/dataset-walker.js'
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
import { buildFileMeta, NotPart10Error, readInstanceFile } from '../dicom/part10-file.js'
import { transferSyntaxName } from '../dicom/transfer-syntax.js'
import { cleanUid, isSafeUid } from '../dicom/uid.js'
import type { Logger } from '../logging/logger.js'
import type { StreamCatalog } from '../streams/load-streams.js'
import { decideAssociation, decideContext, type AssociationDecision } from './association-policy.js'
import { describeAdmission, type DiskAdmission } from './disk-admission.js'
import type { IncomingStore } from './incoming-store.js'
import { InstanceWriter } from './instance-writer.js'
import { StoreFailure, StoreStatus } from './store-status.js'

export interface InstanceStoredEvent {
  groupKey: string
  calledAE: string
  callingAE: string
  callerIP: string
  studyInstanceUID: string
  sopInstanceUID: string
  replaced: boolean
  bytes: number
  at: string
}

export interface StoreScpDeps {
  ownAE: string
  catalog: StreamCatalog
  incoming: IncomingStore
  admission: DiskAdmission
  logger: Logger
  fsync: boolean
  maxPduLength: number
  onStored: (event: InstanceStoredEvent) => void
  /** Data is arriving on a storage association (called at most twice a second per association). */
  onActivity: (calledAE: string, callingAE: string) => void
}

interface PendingStore {
  writer: InstanceWriter | undefined
  sopClassUID: string
  sopInstanceUID: string
  transferSyntaxUID: string
  /** Set when the instance is refused before its bytes arrive (they are read and dropped). */
  refusal: StoreFailure | undefined
}

// A writable that drops everything (for refused instances: the bytes must still be read).
class DroppingWriter extends EventEmitter {
  write(): boolean {
    return true
  }
  end(): void {}
}

export class StoreScp extends Scp {
  private decision: AssociationDecision | undefined
  private calledAE = ''
  private callingAE = ''
  private readonly callerIP: string
  private readonly pending = new Map<CStoreRequest, PendingStore>()
  private stored = 0
  private failed = 0
  private paused = 0
  private ended = false

  constructor(
    private readonly socket: Socket,
    private readonly deps: StoreScpDeps,
    options: Record<string, unknown>,
  ) {
    super(socket, options)
    this.callerIP = (socket.remoteAddress ?? '').replace(/^::ffff:/, '')
    this.on('close', () => void this.finishAssociation('connection closed'))
    let lastActivity = 0
    socket.on('data', () => {
      const now = Date.now()
      if (now - lastActivity < 500 || this.decision?.accept !== true || this.decision.role !== 'store') return
      lastActivity = now
      this.deps.onActivity(this.decision.stream.aeTitle, this.callingAE)
    })
    this.on('networkError', (error: Error) => {
      this.deps.logger.warn(`${this.describe()}: ${error.message}`)
      socket.destroy()
    })
  }

  private describe(): string {
    return `association ${this.callingAE || '?'}@${this.callerIP} -> ${this.calledAE || '?'}`
  }

  override associationRequested(association: Association): void {
    this.calledAE = association.getCalledAeTitle().trim()
    this.callingAE = association.getCallingAeTitle().trim()
    const decision = decideAssociation(this.calledAE, this.deps.ownAE, (ae) => this.deps.catalog.find(ae))
    this.decision = decision
    if (!decision.accept) {
      this.deps.logger.warn(`rejected ${this.describe()}: ${decision.reason}`)
      this.sendAssociationReject(
        constants.RejectResult.Permanent,
        constants.RejectSource.ServiceUser,
        constants.RejectReason.CalledAeNotRecognized,
      )
      setTimeout(() => this.socket.end(), 500).unref()
      return
    }
    if (decision.role === 'store') {
      const space = this.deps.admission.state()
      if (!space.open) {
        this.deps.logger.warn(`rejected ${this.describe()}: the data disk is too full to receive (${describeAdmission(space)})`)
        // Transient: the sender may try again later. Source: service provider (presentation); reason: local limit exceeded.
        this.sendAssociationReject(constants.RejectResult.Transient, constants.RejectSource.ServiceProviderPresentation, 2)
        setTimeout(() => this.socket.end(), 500).unref()
        return
      }
    }
    const accepted: string[] = []
    const refused: string[] = []
    for (const { id } of association.getPresentationContexts()) {
      const context = association.getPresentationContext(id)
      const abstract = cleanUid(context.getAbstractSyntaxUid())
      const choice = decideContext(decision.role, abstract, context.getTransferSyntaxUids().map(cleanUid))
      if (choice.accept) {
        context.setResult(constants.PresentationContextResult.Accept, choice.transferSyntaxUid)
        accepted.push(`${abstract} as ${transferSyntaxName(choice.transferSyntaxUid)}`)
      } else {
        context.setResult(
          choice.result === 'abstract-syntax-not-supported'
            ? constants.PresentationContextResult.RejectAbstractSyntaxNotSupported
            : constants.PresentationContextResult.RejectTransferSyntaxesNotSupported,
        )
        refused.push(`${abstract} (${choice.result})`)
      }
    }
    association.setMaxPduLength(this.deps.maxPduLength)
    const target = decision.role === 'store' ? `stream ${decision.stream.aeTitle}` : 'the box (echo only)'
    this.deps.logger.info(
      `accepted ${this.describe()} for ${target}: ${accepted.length} context(s) accepted` +
        (refused.length ? `, refused ${refused.join(', ')}` : ''),
    )
    this.sendAssociationAccept()
  }

  override associationReleaseRequested(): void {
    this.sendAssociationReleaseResponse()
    void this.finishAssociation('released')
  }

  override abort(source: number, reason: number): void {
    void this.finishAssociation(`aborted by the sender (source ${source}, reason ${reason})`)
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
    const sopClassUID = cleanUid(request.getAffectedSopClassUid())
    const sopInstanceUID = cleanUid(request.getAffectedSopInstanceUid())
    const transferSyntaxUID = cleanUid(context.getAcceptedTransferSyntaxUid())
    const pending: PendingStore = { writer: undefined, sopClassUID, sopInstanceUID, transferSyntaxUID, refusal: undefined }
    if (this.decision?.accept !== true || this.decision.role !== 'store') {
      pending.refusal = new StoreFailure(StoreStatus.NotAuthorized, `${this.calledAE} takes no storage`)
    } else if (!this.deps.admission.state().open) {
      pending.refusal = new StoreFailure(StoreStatus.OutOfResources, `the data disk is too full to receive (${describeAdmission(this.deps.admission.state())})`)
    } else if (!isSafeUid(sopInstanceUID)) {
      pending.refusal = new StoreFailure(StoreStatus.CannotUnderstand, `Affected SOP Instance UID ${JSON.stringify(sopInstanceUID.slice(0, 80))} is not a valid UID`)
    } else if (!isSafeUid(sopClassUID)) {
      pending.refusal = new StoreFailure(StoreStatus.CannotUnderstand, `Affected SOP Class UID ${JSON.stringify(sopClassUID.slice(0, 80))} is not a valid UID`)
    }
    let writer: InstanceWriter | DroppingWriter
    if (pending.refusal) writer = new DroppingWriter()
    else {
      const header = buildFileMeta({ sopClassUid: sopClassUID, sopInstanceUid: sopInstanceUID, transferSyntaxUid: transferSyntaxUID, sourceAE: this.callingAE })
      writer = new InstanceWriter(this.deps.incoming.tempPath(), header, {
        fsync: this.deps.fsync,
        onBackpressure: (behind) => this.setBackpressure(behind),
        checkSpace: (bytes) => {
          const space = this.deps.admission.refresh()
          return space.freeBytes - bytes > space.reserveBytes
            ? undefined
            : new StoreFailure(StoreStatus.OutOfResources, `the data disk is too full to receive (${describeAdmission(space)}, ${(bytes / 1024 ** 2).toFixed(1)} MB more to write)`)
        },
      })
      pending.writer = writer
    }
    this.pending.set(request, pending)
    return writer as unknown as Writable
  }

  override createDatasetFromStoreWritableStream(_writable: unknown, _context: PresentationContext, callback: (dataset: never) => void): void {
    callback(undefined as never)
  }

  override cStoreRequest(request: CStoreRequest, callback: (response: CStoreResponse) => void): void {
    const pending = this.pending.get(request)
    this.pending.delete(request)
    void this.completeStore(pending).then((failure) => {
      const response = responses.CStoreResponse.fromRequest(request)
      if (failure) {
        this.failed++
        response.setStatus(failure.status)
        response.setErrorComment(failure.message.slice(0, 64))
        this.deps.logger.warn(
          `${this.describe()}: instance ${pending?.sopInstanceUID.slice(0, 64) ?? '?'} refused with status 0x${failure.status.toString(16).toUpperCase().padStart(4, '0')}: ${failure.message}`,
        )
      } else {
        this.stored++
        response.setStatus(StoreStatus.Success)
      }
      callback(response)
    })
  }

  // Finish writing, check the file and move it into its group; a StoreFailure says why not.
  private async completeStore(pending: PendingStore | undefined): Promise<StoreFailure | undefined> {
    if (!pending) return new StoreFailure(StoreStatus.ProcessingFailure, 'C-STORE without a data set')
    if (pending.refusal) return pending.refusal
    const writer = pending.writer!
    try {
      await writer.finish()
    } catch (error) {
      await unlink(writer.path).catch(() => undefined)
      if (error instanceof StoreFailure) return error
      const code = (error as NodeJS.ErrnoException).code
      return new StoreFailure(
        code === 'ENOSPC' || code === 'EDQUOT' ? StoreStatus.OutOfResources : StoreStatus.ProcessingFailure,
        `could not write the instance: ${(error as Error).message}`,
        { cause: error },
      )
    }
    try {
      const file = readInstanceFile(writer.path, { validate: true })
      // dcmjs-dimse strips characters that are not allowed in a UID from the command's UID, so
      // the data set's own SOP Instance UID, read raw, is the one that must be valid and match.
      const datasetUid = file.header.sopInstanceUid
      if (!isSafeUid(datasetUid)) {
        throw new StoreFailure(StoreStatus.CannotUnderstand, `SOP Instance UID ${JSON.stringify(datasetUid.slice(0, 80))} in the data set is missing or not a valid UID`)
      }
      if (datasetUid !== pending.sopInstanceUID) {
        throw new StoreFailure(StoreStatus.DataSetDoesNotMatchSopClass, `data set SOP Instance UID ${datasetUid} differs from the command's ${pending.sopInstanceUID.slice(0, 64)}`)
      }
      const study = file.header.studyInstanceUid
      if (!isSafeUid(study)) throw new StoreFailure(StoreStatus.CannotUnderstand, `StudyInstanceUID ${JSON.stringify(study.slice(0, 80))} is missing or not a valid UID`)
      const decision = this.decision as Extract<AssociationDecision, { role: 'store' }>
      const record = {
        calledAE: decision.stream.aeTitle,
        callingAE: this.callingAE,
        callerIP: this.callerIP,
        studyInstanceUID: study,
        firstArrivalAt: new Date().toISOString(),
      }
      const result = await this.deps.incoming.commit(writer.path, record, pending.sopInstanceUID)
      if (result.replaced) this.deps.logger.info(`${this.describe()}: instance ${pending.sopInstanceUID} arrived again and replaced the earlier copy in its study group`)
      this.deps.onStored({
        groupKey: result.groupKey,
        calledAE: record.calledAE,
        callingAE: record.callingAE,
        callerIP: record.callerIP,
        studyInstanceUID: study,
        sopInstanceUID: pending.sopInstanceUID,
        replaced: result.replaced,
        bytes: file.fileSize,
        at: new Date().toISOString(),
      })
      return undefined
    } catch (error) {
      await unlink(writer.path).catch(() => undefined)
      if (error instanceof StoreFailure) return error
      if (error instanceof MalformedDatasetError || error instanceof NotPart10Error) {
        return new StoreFailure(StoreStatus.CannotUnderstand, `malformed data set: ${error.message}`, { cause: error })
      }
      const code = (error as NodeJS.ErrnoException).code
      return new StoreFailure(
        code === 'ENOSPC' || code === 'EDQUOT' ? StoreStatus.OutOfResources : StoreStatus.ProcessingFailure,
        `could not store the instance: ${(error as Error).message}`,
        { cause: error },
      )
    }
  }

  // Drop whatever was still arriving and log the association's totals (once).
  private async finishAssociation(how: string): Promise<void> {
    if (this.ended) return
    this.ended = true
    const unfinished = [...this.pending.values()]
    this.pending.clear()
    await Promise.all(unfinished.map((p) => p.writer?.discard()))
    if (this.decision?.accept) {
      this.deps.logger.info(
        `${this.describe()} ${how}: ${this.stored} stored, ${this.failed} refused` +
          (unfinished.length ? `, ${unfinished.length} incomplete instance(s) discarded` : ''),
      )
    }
  }
}
