/**
 * @module sender-main
 * Entry of the sender child process: runs delivery attempts the supervisor asks for (C-STORE to
 * a destination), writing each acknowledgement to the delivery's ledger as it arrives, and
 * answers with the attempt's result. Killing it loses nothing: the supervisor retries the
 * attempt, and the ledger keeps what was already acknowledged from being sent again.
 */
import { answerLivenessProbes } from '../supervision/liveness-probe.js'
import { DeliveryLedger } from './delivery-ledger.js'
import type { FromSender, ToSender } from './sender-messages.js'
import { sendInstances } from './send-instances.js'

const say = (message: FromSender) => {
  if (process.connected) process.send?.(message)
}

process.on('message', (raw) => {
  const message = raw as ToSender
  if (message.type !== 'send') return
  const { request } = message
  sendInstances(request.files, request.target, new DeliveryLedger(request.jobFolder, request.deliveryId)).then(
    (result) => say({ type: 'result', requestId: request.requestId, result }),
    (error: Error) => say({ type: 'error', requestId: request.requestId, message: error.message }),
  )
})
answerLivenessProbes()
process.on('disconnect', () => process.exit(0))
process.on('SIGTERM', () => process.exit(0))
say({ type: 'ready' })
