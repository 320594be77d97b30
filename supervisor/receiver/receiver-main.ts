/**
 * @module receiver-main
 * Entry of the receiver child process: C-ECHO and C-STORE SCP on the DICOM port. Wires the
 * listener to the configuration and reports stored instances to the supervisor over IPC. It exits
 * when the supervisor goes away, so a restarted supervisor can bind the port again.
 */
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { loadConfig } from '../config/load-config.js'
import { Implementation, routeDimseLogTo } from '../dicom/dimse.js'
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../dicom/implementation.js'
import { createLogger, loggerOptions } from '../logging/logger.js'
import { StreamCatalog } from '../streams/load-streams.js'
import { DicomListener } from './dicom-listener.js'
import { describeAdmission, DiskAdmission } from './disk-admission.js'
import { IncomingStore } from './incoming-store.js'
import type { ReceiverMessage } from './receiver-messages.js'

const config = await loadConfig()
const logger = createLogger('receiver', loggerOptions(config.paths.logs, config.settings.logs))
routeDimseLogTo(logger)
Implementation.setImplementationClassUid(IMPLEMENTATION_CLASS_UID)
Implementation.setImplementationVersion(IMPLEMENTATION_VERSION_NAME)
Implementation.setMaxPduLength(config.settings.receiver.maxPduLength)

const send = (message: ReceiverMessage) => {
  if (process.connected) process.send?.(message)
}

const incoming = new IncomingStore(config.paths.incoming, config.paths.incomingTemp)
await incoming.prepare()
// Nothing is being received yet, so every temp file is an orphan of an earlier run.
for (const name of await readdir(config.paths.incomingTemp)) {
  await rm(join(config.paths.incomingTemp, name), { recursive: true, force: true })
  logger.info(`removed orphaned temp file ${name} left by an earlier run`)
}

let firstReading = true
const admission = new DiskAdmission(config.paths.scratch, config.settings.admission, (state) => {
  if (!state.open) logger.warn(`receiving stopped, new associations are rejected: ${describeAdmission(state)}`)
  else if (!firstReading) logger.info(`receiving again: ${describeAdmission(state)}`)
  firstReading = false
  send({ type: 'admission', ...state })
})
admission.state()
// Also look when nobody sends, so the supervisor hears that space is back.
setInterval(() => admission.state(), 5000).unref()

const listener = new DicomListener(
  {
    ownAE: config.settings.aet,
    catalog: new StreamCatalog(config.streamsDir),
    incoming,
    admission,
    logger,
    fsync: config.settings.receiver.fsync,
    maxPduLength: config.settings.receiver.maxPduLength,
    onStored: (event) => send({ type: 'instance-stored', event }),
    onActivity: (calledAE, callingAE) => send({ type: 'activity', calledAE, callingAE, at: Date.now() }),
  },
  { port: config.settings.dicomPort, idleTimeoutMs: config.settings.receiver.idleTimeoutSeconds * 1000 },
)

const shutdown = (why: string) => {
  logger.info(`stopping (${why})`)
  void listener.stop().then(() => {
    logger.close()
    process.exit(0)
  })
}
process.on('SIGTERM', () => shutdown('SIGTERM'))
process.on('SIGINT', () => shutdown('SIGINT'))
process.on('disconnect', () => shutdown('the supervisor went away'))

try {
  await listener.start()
} catch (error) {
  logger.error(`cannot listen on port ${config.settings.dicomPort}: ${(error as Error).message}`)
  process.exit(2)
}
logger.info(`listening for DICOM on port ${listener.port} as ${config.settings.aet}; streams from ${config.streamsDir}`)
send({ type: 'ready', port: listener.port })
