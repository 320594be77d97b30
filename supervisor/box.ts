/**
 * @module box
 * The whole box, wired: the receiver child, study completion, the job store, one worker per
 * stream, routing and delivery. start() recovers what an earlier run left (job folders being
 * created, jobs that were running, deliveries under way); stop() shuts down in reverse order.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createJobFromGroup, recoverStagedJobs } from './completion/create-job.js'
import { StudyCollector } from './completion/study-collector.js'
import type { Config } from './config/load-config.js'
import { JobIndex } from './jobs/job-index.js'
import { JobStore } from './jobs/job-store.js'
import { createLogger, loggerOptionsFromEnv, type Logger } from './logging/logger.js'
import { WorkerPool } from './queue/worker-pool.js'
import type { ReceiverMessage } from './receiver/receiver-messages.js'
import { DockerEngine } from './runners/docker-client.js'
import { DeliveryScheduler } from './sender/delivery-scheduler.js'
import { StreamCatalog } from './streams/load-streams.js'
import { watchStreams } from './streams/watch-streams.js'
import { ChildProgram } from './supervision/child-program.js'

// A sibling module of this one, with this module's extension (.js built, .ts under tsx).
function sibling(name: string): string {
  const here = fileURLToPath(import.meta.url)
  return fileURLToPath(new URL(`./${name}${extname(here)}`, import.meta.url))
}

export class Box {
  readonly log: Logger
  private readonly loggers: Logger[] = []
  private index: JobIndex | undefined
  private store: JobStore | undefined
  private collector: StudyCollector | undefined
  private pool: WorkerPool | undefined
  private scheduler: DeliveryScheduler | undefined
  private receiver: ChildProgram | undefined
  private unwatch: (() => void) | undefined
  private stopping: Promise<void> | undefined

  constructor(readonly config: Config) {
    this.log = this.logger('supervisor')
  }

  private logger(part: string): Logger {
    const logger = createLogger(part, loggerOptionsFromEnv(this.config.paths.logs))
    this.loggers.push(logger)
    return logger
  }

  async start(): Promise<void> {
    const { paths, settings, streamsDir } = this.config
    await mkdir(paths.incomingTemp, { recursive: true })
    await mkdir(paths.memory, { recursive: true })
    await mkdir(paths.pids, { recursive: true })
    await writeFile(join(paths.pids, 'supervisor.pid'), `${process.pid}\n`)
    this.log.info(`MagickBox starting: data in ${paths.root}, streams in ${streamsDir}, AE title ${settings.aet}, DICOM port ${settings.dicomPort}`)
    const jobsLog = this.logger('jobs')
    const index = (this.index = new JobIndex(paths.index))
    const store = (this.store = new JobStore(paths, index, jobsLog))
    const recovered = await recoverStagedJobs({ paths, store, logger: jobsLog })
    if (recovered) this.log.info(`finished creating ${recovered} job(s) interrupted by the last stop`)
    const summary = await store.reconcile()
    this.log.info(`job index: ${summary.scanned} job folder(s), ${summary.reread} re-read, ${summary.removed} removed`)
    for (const job of store.activeJobs()) {
      if (job.state === 'running') await store.move(job, 'queued', 'the box stopped while this job was running; it runs again', { waitingReason: undefined })
    }

    const catalog = new StreamCatalog(streamsDir)
    this.unwatch = watchStreams(catalog, this.log)
    const docker = new DockerEngine()
    const scheduler = (this.scheduler = new DeliveryScheduler({
      store,
      settings: () => settings,
      routingPath: paths.routing,
      routingLog: this.logger('routing'),
      senderLog: this.logger('sender'),
    }))
    const pool = (this.pool = new WorkerPool({
      paths,
      store,
      docker,
      catalog,
      logger: jobsLog,
      route: (job) => scheduler.route(job),
      retrySeconds: () => settings.dockerRetrySeconds,
    }))
    for (const job of store.activeJobs().sort((a, b) => a.queuedAt.localeCompare(b.queuedAt))) {
      if (job.state === 'queued') pool.enqueue(job)
    }
    pool.start()
    scheduler.start()

    const collector = (this.collector = new StudyCollector({
      incomingDir: paths.incoming,
      quietSecondsFor: (ae) => catalog.find(ae)?.quietSeconds ?? settings.quietSeconds,
      complete: async (groupKey, completion) => {
        const job = await createJobFromGroup({ paths, store, logger: jobsLog }, groupKey, completion)
        if (job) pool.enqueue(job)
      },
      logger: jobsLog,
    }))
    await collector.start()

    const receiver = (this.receiver = new ChildProgram({ name: 'receiver', modulePath: sibling('receiver/receiver-main'), logger: this.log }))
    receiver.on('message', (raw) => {
      const message = raw as ReceiverMessage
      if (message.type === 'instance-stored') collector.noteInstance(message.event)
      else if (message.type === 'activity') collector.noteActivity(message.calledAE, message.callingAE, message.at)
      else if (message.type === 'ready') {
        this.log.info(`receiver ready on DICOM port ${message.port}`)
        void writeFile(join(paths.pids, 'receiver.pid'), `${receiver.pid}\n`).catch(() => undefined)
      }
    })
    receiver.start()
    this.log.info('MagickBox is up')
  }

  // Stop in reverse order: receiving, completion, workers, deliveries, then the index. Idempotent.
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info('MagickBox stopping')
      const steps: [string, () => Promise<void> | void][] = [
        ['receiver', () => this.receiver?.stop()],
        ['study completion', () => this.collector?.stop()],
        ['stream workers', () => this.pool?.stop(this.config.settings.stopGraceSeconds * 1000)],
        ['deliveries', () => this.scheduler?.stop()],
        ['job writes', () => this.store?.flush()],
        ['stream watch', () => this.unwatch?.()],
        ['job index', () => this.index?.close()],
      ]
      for (const [name, step] of steps) {
        try {
          await step()
        } catch (error) {
          this.log.error(`stopping ${name} failed: ${(error as Error).message}`)
        }
      }
      await rm(join(this.config.paths.pids, 'receiver.pid'), { force: true })
      await rm(join(this.config.paths.pids, 'supervisor.pid'), { force: true })
      this.log.info('MagickBox stopped')
      for (const logger of this.loggers) logger.close()
    })()
    return this.stopping
  }
}
