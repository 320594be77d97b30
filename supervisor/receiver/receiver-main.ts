/**
 * @module receiver-main
 * Entry of the receiver child process: C-ECHO and C-STORE SCP on the DICOM port. With
 * `receiver.workers` above one (default: one per core) it is a small cluster: this process owns
 * the port and hands each connection to a worker process, so parallel associations use every
 * core; it relays the workers' reports to the supervisor, replaces a worker that dies and kills
 * one that stops answering (worker-watch.ts). It exits when the supervisor goes away, so a
 * restarted supervisor can bind the port again.
 */
import cluster from 'node:cluster'
import { availableParallelism } from 'node:os'
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { loadConfig } from '../config/load-config.js'
import { Implementation, routeDimseLogTo } from '../dicom/dimse.js'
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../dicom/implementation.js'
import { createLogger, loggerOptions } from '../logging/logger.js'
import { StreamCatalog } from '../streams/load-streams.js'
import { readTlsMaterial } from '../tls/tls-material.js'
import { DicomListener } from './dicom-listener.js'
import { describeAdmission, DiskAdmission } from './disk-admission.js'
import { IncomingStore } from './incoming-store.js'
import { quickAckAvailable } from './quick-ack.js'
import type { ReceiverMessage } from './receiver-messages.js'
import { answerLivenessProbes, isProbeAnswer, silenceDeadlineMs } from '../supervision/liveness-probe.js'
import { WorkerWatch } from './worker-watch.js'

const config = await loadConfig()
const logger = createLogger('receiver', loggerOptions(config.paths, config.settings.logs))
const workerCount = config.settings.receiver.workers || availableParallelism()
const engine = config.settings.receiver.engine === 'dcmjs-dimse' ? 'dcmjs-dimse' : 'lean'

// To the supervisor: directly, or through the cluster's primary.
const send = (message: ReceiverMessage) => {
  if (process.connected) process.send?.(message)
}

async function removeOrphans(): Promise<void> {
  const incoming = new IncomingStore(config.paths.incoming, config.paths.incomingTemp)
  await incoming.prepare()
  // Nothing is being received yet, so every temp file is an orphan of an earlier run.
  for (const name of await readdir(config.paths.incomingTemp)) {
    await rm(join(config.paths.incomingTemp, name), { recursive: true, force: true })
    logger.info(`removed orphaned temp file ${name} left by an earlier run`)
  }
}

const tlsText = (port: number | undefined) => (port ? ` and DICOM TLS on port ${port}${config.settings.tls.clientCA ? ' (client certificates required)' : ''}` : '')

// Serve associations in this process until told to stop.
async function serve(): Promise<void> {
  routeDimseLogTo(logger)
  Implementation.setImplementationClassUid(IMPLEMENTATION_CLASS_UID)
  Implementation.setImplementationVersion(IMPLEMENTATION_VERSION_NAME)
  Implementation.setMaxPduLength(config.settings.receiver.maxPduLength)
  const incoming = new IncomingStore(config.paths.incoming, config.paths.incomingTemp)
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
  const tlsMaterial = config.settings.tls.dicomPort ? readTlsMaterial(config.settings.tls, config.paths.root) : undefined
  const listener = new DicomListener(
    {
      ownAE: config.settings.aet,
      allowedCallers: config.settings.receiver.allowedCallers,
      maxInstanceBytes: config.settings.receiver.maxInstanceBytes,
      catalog: new StreamCatalog(config.streamsDir),
      incoming,
      admission,
      logger,
      fsync: config.settings.receiver.fsync,
      maxPduLength: config.settings.receiver.maxPduLength,
      onStored: (event) => send({ type: 'instance-stored', event }),
      onActivity: (calledAE, callingAE) => send({ type: 'activity', calledAE, callingAE, at: Date.now() }),
    },
    {
      port: config.settings.dicomPort,
      idleTimeoutMs: config.settings.receiver.idleTimeoutSeconds * 1000,
      engine,
      // Each worker keeps its share of the limits (connections are spread evenly over them).
      maxAssociations: Math.ceil(config.settings.receiver.maxAssociations / (cluster.isWorker ? workerCount : 1)),
      maxAssociationsPerIP: Math.ceil(config.settings.receiver.maxAssociationsPerIP / (cluster.isWorker ? workerCount : 1)),
      tls: tlsMaterial && { port: config.settings.tls.dicomPort, material: tlsMaterial },
    },
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
  process.on('disconnect', () => shutdown(cluster.isWorker ? 'the receiver primary went away' : 'the supervisor went away'))
  try {
    await listener.start()
  } catch (error) {
    logger.error(`cannot listen on port ${config.settings.dicomPort}${tlsMaterial ? ` and TLS port ${config.settings.tls.dicomPort}` : ''}: ${(error as Error).message}`)
    process.exit(2)
  }
  if (!quickAckAvailable && !cluster.isWorker) logger.warn('the TCP_QUICKACK addon is not built (npm install builds it): senders that leave Nagle on will be slower')
  if (!cluster.isWorker) {
    logger.info(`listening for DICOM on port ${listener.port}${tlsText(listener.tlsPort)} as ${config.settings.aet} (${engine} engine); streams from ${config.streamsDir}`)
  }
  send({ type: 'ready', port: listener.port, tlsPort: listener.tlsPort })
}

// Own the port, run the workers, relay their reports, replace a worker that dies.
async function runPrimary(): Promise<void> {
  await removeOrphans()
  let stopping = false
  let ready = 0
  const heartbeat = config.settings.heartbeat
  const watch = new WorkerWatch(heartbeat.intervalSeconds * 1000, silenceDeadlineMs(heartbeat), logger)
  watch.start()
  const start = () => {
    const worker = cluster.fork()
    worker.on('message', (message: ReceiverMessage) => {
      if (isProbeAnswer(message)) return
      if (message.type === 'ready') {
        watch.add(worker)
        ready++
        if (ready === workerCount) {
          logger.info(`listening for DICOM on port ${message.port}${tlsText(message.tlsPort)} as ${config.settings.aet} (${engine} engine, ${workerCount} worker processes); streams from ${config.streamsDir}`)
          send(message)
        }
        return
      }
      send(message)
    })
    worker.on('exit', (code, signal) => {
      if (stopping) return
      if (code === 2) {
        // A worker that cannot listen cannot be helped by another: let the supervisor's policy decide.
        logger.error('a receiver worker cannot listen; the receiver exits')
        process.exit(2)
      }
      logger.warn(`receiver worker ${worker.process.pid} ${signal ? `killed by ${signal}` : `exited with code ${code}`}; starting another`)
      setTimeout(start, 200)
    })
  }
  for (let i = 0; i < workerCount; i++) start()
  const shutdown = (why: string) => {
    if (stopping) return
    stopping = true
    watch.stop()
    logger.info(`stopping ${workerCount} receiver worker(s) (${why})`)
    const workers = Object.values(cluster.workers ?? {})
    let left = workers.length
    if (left === 0) process.exit(0)
    for (const worker of workers) {
      worker?.on('exit', () => {
        if (--left === 0) {
          logger.close()
          process.exit(0)
        }
      })
      worker?.kill('SIGTERM')
    }
    setTimeout(() => process.exit(0), 15_000).unref()
  }
  process.on('SIGTERM', () => shutdown('SIGTERM'))
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('disconnect', () => shutdown('the supervisor went away'))
}

// Liveness probes come from the supervisor (to the primary, or the single process) and from the
// primary (to its workers); each process answers its own.
answerLivenessProbes()
if (cluster.isWorker) await serve()
else if (workerCount > 1) await runPrimary()
else {
  await removeOrphans()
  await serve()
}
