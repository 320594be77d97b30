/**
 * @module receiver-messages
 * What the receiver child tells the supervisor over IPC.
 */
import type { InstanceStoredEvent } from './store-scp.js'

export type ReceiverMessage =
  | { type: 'ready'; port: number; tlsPort?: number }
  | { type: 'instance-stored'; event: InstanceStoredEvent }
  | { type: 'activity'; calledAE: string; callingAE: string; at: number }
  | { type: 'admission'; open: boolean; freeBytes: number; reserveBytes: number }
