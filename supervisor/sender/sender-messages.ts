/**
 * @module sender-messages
 * What the supervisor and the sender child say to each other over IPC.
 */
import type { ScuTarget } from '../dicom/scu-association.js'
import type { RoutedFile } from './routed-files.js'
import type { AttemptResult } from './send-instances.js'

export interface SendRequest {
  requestId: number
  jobFolder: string
  deliveryId: string
  files: RoutedFile[]
  target: ScuTarget
}

export type ToSender = { type: 'send'; request: SendRequest }

export type FromSender =
  | { type: 'ready' }
  | { type: 'result'; requestId: number; result: AttemptResult }
  | { type: 'error'; requestId: number; message: string }
