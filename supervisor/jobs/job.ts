/**
 * @module job
 * A job: one completed study group run through one stream. Its folder
 * (`scratch/<id>/`) is the truth; `job.json` is written atomically on every change.
 */
import type { DestinationTls } from '../tls/destination-tls.js'

/** queued → running → routing → done; failed (could not run, or deliveries gave up); cancelled. */
export type JobState = 'queued' | 'running' | 'routing' | 'done' | 'failed' | 'cancelled'

/** What the stream reported: proc.json's `success`, or failed for a non-zero exit, crash or timeout. */
export type Outcome = 'success' | 'failed' | 'partial'

export type DeliveryState = 'pending' | 'sending' | 'done' | 'failed'

export interface DestinationAddress {
  host: string
  port: number
  calledAE: string
  callingAE: string
  /** Over TLS, with these settings (file paths as routing.json gave them). */
  tls?: DestinationTls
}

export interface Delivery {
  /** Stable id within the job (names its ledger file). */
  id: string
  /** The routing rule and send key that chose this destination. */
  rule: string
  why: string
  destination: DestinationAddress
  /** The job folder routed: output (default) or input. */
  directory: 'output' | 'input'
  state: DeliveryState
  /** DICOM files to send. */
  instances: number
  /** Acknowledged by the destination (success or warning status), over all attempts. */
  sent: number
  /** Failed in the last attempt. */
  failed: number
  /** Files in the folder that are not DICOM Part-10 and are not sent. */
  skipped: number
  attempts: number
  lastAttemptAt: string | undefined
  nextAttemptAt: string | undefined
  lastError: string | undefined
  finishedAt: string | undefined
}

export interface StateChange {
  at: string
  from: JobState | undefined
  to: JobState
  reason: string
}

export interface StudyFacts {
  patientId: string
  patientName: string
  accessionNumber: string
  studyDate: string
  studyDescription: string
  modality: string
}

export interface Job {
  id: string
  state: JobState
  /** The stream's AE title (the called AE title of the association). */
  stream: string
  calledAE: string
  callingAE: string
  callerIP: string
  studyInstanceUID: string
  study: StudyFacts
  instances: number
  bytes: number
  receivedAt: string
  lastArrivalAt: string
  completedAt: string
  completedReason: string
  /** Ids of earlier jobs of the same study, when these instances arrived after those were created. */
  lateArrivalOf: string[]
  queuedAt: string
  /** Why a queued job is not running yet (e.g. the Docker engine does not answer). */
  waitingReason: string | undefined
  runs: number
  startedAt: string | undefined
  finishedAt: string | undefined
  exitCode: number | null | undefined
  outcome: Outcome | undefined
  outcomeMessage: string | undefined
  failedReason: string | undefined
  deliveries: Delivery[]
  routingNote: string | undefined
  history: StateChange[]
}
