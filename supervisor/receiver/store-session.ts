/**
 * @module store-session
 * What one association of the receiver decides and does, whichever DICOM engine carries it:
 * whether to accept it (called AE title, disk space), which presentation contexts, and for each
 * C-STORE: refuse early (bad UID, no space) or write the data set behind our file meta header,
 * prove it whole, check its UIDs, and rename it into its study group before Success.
 */
import { unlink } from 'node:fs/promises'
import { MalformedDatasetError } from '../dicom/dataset-walker.js'
import { buildFileMeta, NotPart10Error, readInstance } from '../dicom/part10-file.js'
import { transferSyntaxName } from '../dicom/transfer-syntax.js'
import { cleanUid, isSafeUid } from '../dicom/uid.js'
import type { Logger } from '../logging/logger.js'
import type { StreamCatalog } from '../streams/load-streams.js'
import type { AllowedCallers } from '../streams/stream-definition.js'
import { ipMatcher, isLoopback } from './ip-range.js'
import { decideAssociation, decideContext, type AssociationDecision, type ContextDecision } from './association-policy.js'
import { describeAdmission, type DiskAdmission } from './disk-admission.js'
import type { IncomingStore } from './incoming-store.js'
import { InstanceWriter } from './instance-writer.js'
import { sizeText, StoreFailure, StoreStatus } from './store-status.js'

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
  /** Who may send to streams that set no allowedCallers of their own. */
  allowedCallers: AllowedCallers
  /** Largest instance accepted (bytes). */
  maxInstanceBytes: number
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

/** The A-ASSOCIATE-RJ to send, with the reason for the log. */
export interface Rejection {
  result: number
  source: number
  reason: number
  why: string
}

export interface PendingStore {
  writer: InstanceWriter | undefined
  sopClassUID: string
  sopInstanceUID: string
  transferSyntaxUID: string
  /** Set when the instance is refused before its bytes arrive (they are read and dropped). */
  refusal: StoreFailure | undefined
}

export class StoreSession {
  calledAE = ''
  callingAE = ''
  decision: AssociationDecision | undefined
  private stored = 0
  private failed = 0
  private ended = false
  private lastActivity = 0

  constructor(
    readonly deps: StoreScpDeps,
    readonly callerIP: string,
  ) {}

  describe(): string {
    return `association ${this.callingAE || '?'}@${this.callerIP} -> ${this.calledAE || '?'}`
  }

  get storing(): boolean {
    return this.decision?.accept === true && this.decision.role === 'store'
  }

  // Decide on an association request; a Rejection says how to refuse it. `overLimit` says why
  // the listener has no room for another association.
  associate(calledAE: string, callingAE: string, overLimit?: string): Rejection | undefined {
    this.calledAE = calledAE.trim()
    this.callingAE = callingAE.trim()
    const refuse = (rejection: Rejection): Rejection => {
      this.decision = { accept: false, reason: rejection.why }
      this.deps.logger.warn(`rejected ${this.describe()}: ${rejection.why}`)
      return rejection
    }
    const decision = decideAssociation(this.calledAE, this.deps.ownAE, (ae) => this.deps.catalog.find(ae))
    // The supervisor's heartbeat (a C-ECHO to the box's own AE title from this machine) is let in
    // past the association limits: a receiver that is full is busy, not hung, and must not be
    // killed for it. Anyone else beyond the limits gets a transient rejection (service provider,
    // presentation: local limit exceeded) and may try again later.
    const heartbeat = decision.accept && decision.role === 'echo' && isLoopback(this.callerIP)
    if (overLimit && !heartbeat) return refuse({ result: 2, source: 3, reason: 2, why: overLimit })
    this.decision = decision
    if (!decision.accept) {
      this.deps.logger.warn(`rejected ${this.describe()}: ${decision.reason}`)
      return { result: 1, source: 1, reason: 7, why: decision.reason }
    }
    if (decision.role === 'store') {
      const callers = decision.stream.allowedCallers ?? this.deps.allowedCallers
      const own = decision.stream.allowedCallers ? `stream ${decision.stream.aeTitle}'s allowedCallers` : 'the default allowedCallers (settings receiver.allowedCallers)'
      if (callers.aeTitles.length > 0 && !callers.aeTitles.includes(this.callingAE)) {
        return refuse({ result: 1, source: 1, reason: 3, why: `calling AE title "${this.callingAE}" is not in ${own}` })
      }
      if (!ipMatcher(callers.ips)(this.callerIP)) {
        return refuse({ result: 1, source: 1, reason: 1, why: `caller address ${this.callerIP} is not in the ranges of ${own}` })
      }
      const space = this.deps.admission.state()
      if (!space.open) {
        const why = `the data disk is too full to receive (${describeAdmission(space)})`
        this.deps.logger.warn(`rejected ${this.describe()}: ${why}`)
        // Transient: the sender may try again later. Source: service provider (presentation); reason: local limit exceeded.
        return { result: 2, source: 3, reason: 2, why }
      }
    }
    return undefined
  }

  context(abstractSyntax: string, proposed: string[]): ContextDecision {
    return decideContext(this.decision?.accept && this.decision.role === 'store' ? 'store' : 'echo', cleanUid(abstractSyntax), proposed.map(cleanUid))
  }

  // Log what was accepted (once the contexts are decided).
  accepted(contexts: { abstractSyntax: string; decision: ContextDecision }[]): void {
    const decision = this.decision
    if (!decision?.accept) return
    const accepted = contexts.filter((c) => c.decision.accept).map((c) => `${c.abstractSyntax} as ${transferSyntaxName((c.decision as { transferSyntaxUid: string }).transferSyntaxUid)}`)
    const refused = contexts.filter((c) => !c.decision.accept).map((c) => `${c.abstractSyntax} (${(c.decision as { result: string }).result})`)
    const target = decision.role === 'store' ? `stream ${decision.stream.aeTitle}` : 'the box (echo only)'
    this.deps.logger.info(`accepted ${this.describe()} for ${target}: ${accepted.length} context(s) accepted` + (refused.length ? `, refused ${refused.join(', ')}` : ''))
  }

  // Data arrived on this association (holds a study open while an instance is in transfer).
  activity(): void {
    const now = Date.now()
    if (now - this.lastActivity < 500 || !this.storing) return
    this.lastActivity = now
    this.deps.onActivity((this.decision as Extract<AssociationDecision, { role: 'store' }>).stream.aeTitle, this.callingAE)
  }

  // Start receiving one instance: a writer for its bytes, or the refusal to answer once they are read.
  begin(rawSopClassUID: string, rawSopInstanceUID: string, transferSyntaxUID: string, onBackpressure: (behind: boolean) => void): PendingStore {
    const sopClassUID = cleanUid(rawSopClassUID)
    const sopInstanceUID = cleanUid(rawSopInstanceUID)
    const pending: PendingStore = { writer: undefined, sopClassUID, sopInstanceUID, transferSyntaxUID, refusal: undefined }
    if (!this.storing) pending.refusal = new StoreFailure(StoreStatus.NotAuthorized, `${this.calledAE} takes no storage`)
    else if (!this.deps.admission.state().open) {
      pending.refusal = new StoreFailure(StoreStatus.OutOfResources, `the data disk is too full to receive (${describeAdmission(this.deps.admission.state())})`)
    } else if (!isSafeUid(sopInstanceUID)) {
      pending.refusal = new StoreFailure(StoreStatus.CannotUnderstand, `Affected SOP Instance UID ${JSON.stringify(sopInstanceUID.slice(0, 80))} is not a valid UID`)
    } else if (!isSafeUid(sopClassUID)) {
      pending.refusal = new StoreFailure(StoreStatus.CannotUnderstand, `Affected SOP Class UID ${JSON.stringify(sopClassUID.slice(0, 80))} is not a valid UID`)
    }
    if (pending.refusal) return pending
    const header = buildFileMeta({ sopClassUid: sopClassUID, sopInstanceUid: sopInstanceUID, transferSyntaxUid: transferSyntaxUID, sourceAE: this.callingAE })
    const maxBytes = this.deps.maxInstanceBytes
    pending.writer = new InstanceWriter(this.deps.incoming.tempPath(), header, {
      fsync: this.deps.fsync,
      onBackpressure,
      maxBytes,
      tooLarge: () => new StoreFailure(StoreStatus.OutOfResources, `the instance is larger than the ${sizeText(maxBytes)} the receiver takes (receiver.maxInstanceBytes)`),
      checkSpace: (bytes) => {
        const space = this.deps.admission.refresh()
        return space.freeBytes - bytes > space.reserveBytes
          ? undefined
          : new StoreFailure(StoreStatus.OutOfResources, `the data disk is too full to receive (${describeAdmission(space)}, ${(bytes / 1024 ** 2).toFixed(1)} MB more to write)`)
      },
    })
    return pending
  }

  // Finish an instance whose last fragment arrived; undefined means Success, else why not.
  async complete(pending: PendingStore | undefined): Promise<StoreFailure | undefined> {
    const failure = await this.store(pending)
    if (failure) {
      this.failed++
      this.deps.logger.warn(
        `${this.describe()}: instance ${pending ? this.deps.logger.ids.uid(pending.sopInstanceUID.slice(0, 64)) : '?'} refused with status 0x${failure.status.toString(16).toUpperCase().padStart(4, '0')}: ${failure.message}`,
      )
    } else this.stored++
    return failure
  }

  private async store(pending: PendingStore | undefined): Promise<StoreFailure | undefined> {
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
    const source = writer.source()
    try {
      const file = readInstance(source, { validate: true })
      // The data set's own SOP Instance UID, read raw, must be valid and match the command's.
      const datasetUid = file.header.sopInstanceUid
      if (!isSafeUid(datasetUid)) {
        throw new StoreFailure(StoreStatus.CannotUnderstand, `SOP Instance UID ${JSON.stringify(datasetUid.slice(0, 80))} in the data set is missing or not a valid UID`)
      }
      if (datasetUid !== pending.sopInstanceUID) {
        throw new StoreFailure(StoreStatus.DataSetDoesNotMatchSopClass, `data set SOP Instance UID ${datasetUid} differs from the command's ${pending.sopInstanceUID.slice(0, 64)}`)
      }
      const study = file.header.studyInstanceUid
      if (!isSafeUid(study)) throw new StoreFailure(StoreStatus.CannotUnderstand, `StudyInstanceUID ${JSON.stringify(study.slice(0, 80))} is missing or not a valid UID`)
      source.close()
      const decision = this.decision as Extract<AssociationDecision, { role: 'store' }>
      const record = { calledAE: decision.stream.aeTitle, callingAE: this.callingAE, callerIP: this.callerIP, studyInstanceUID: study, firstArrivalAt: new Date().toISOString() }
      const result = this.deps.incoming.commitSync(writer.path, record, pending.sopInstanceUID)
      if (result.replaced) this.deps.logger.info(`${this.describe()}: instance ${this.deps.logger.ids.uid(pending.sopInstanceUID)} arrived again and replaced the earlier copy in its study group`)
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
      source.close()
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
  async end(how: string, unfinished: PendingStore[]): Promise<void> {
    if (this.ended) return
    this.ended = true
    await Promise.all(unfinished.map((p) => p.writer?.discard()))
    if (this.decision?.accept) {
      this.deps.logger.info(
        `${this.describe()} ${how}: ${this.stored} stored, ${this.failed} refused` + (unfinished.length ? `, ${unfinished.length} incomplete instance(s) discarded` : ''),
      )
    }
  }
}
