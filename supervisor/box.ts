/**
 * @module box
 * The whole box, wired: the receiver and sender children, study completion, the job store, one
 * worker per stream, routing and delivery, the heartbeat, health checks, retention, and the status
 * page. start() recovers what an earlier run left (job folders being created, jobs that were
 * running, deliveries under way); stop() shuts everything down in reverse order.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createJobFromGroup, recoverStagedJobs } from './completion/create-job.js'
import { StudyCollector } from './completion/study-collector.js'
import { CONTROL_TOKEN_FILE } from './config/data-paths.js'
import { prepareTls } from './tls/tls-material.js'
import type { Config } from './config/load-config.js'
import { readSettingsFile } from './config/settings-store.js'
import { IMPLEMENTATION_VERSION_NAME } from './dicom/implementation.js'
import { HealthMonitor } from './health/health-monitor.js'
import { Heartbeat } from './health/heartbeat.js'
import { JobCommands } from './jobs/job-commands.js'
import { JobIndex } from './jobs/job-index.js'
import { JobStore } from './jobs/job-store.js'
import { createLogger, loggerOptions, type Logger } from './logging/logger.js'
import { Retention } from './maintenance/retention.js'
import { ScheduledTask } from './maintenance/scheduled-task.js'
import { WorkerPool } from './queue/worker-pool.js'
import type { AdmissionState } from './receiver/disk-admission.js'
import type { ReceiverMessage } from './receiver/receiver-messages.js'
import { DockerEngine } from './runners/docker-client.js'
import { DeliveryScheduler } from './sender/delivery-scheduler.js'
import { SenderClient } from './sender/sender-client.js'
import type { BoxStatus } from './status/box-status.js'
import { StatusServer } from './status/status-server.js'
import { StreamCatalog } from './streams/load-streams.js'
import { watchStreams } from './streams/watch-streams.js'
import { AlertCenter } from './supervision/alerts.js'
import { ChildProgram } from './supervision/child-program.js'
import { silenceDeadlineMs } from './supervision/liveness-probe.js'
import type { SupervisedUnit } from './supervision/supervised-unit.js'

// A module relative to this one, with this module's extension (.js built, .ts under tsx).
function sibling(name: string): string {
  const here = fileURLToPath(import.meta.url)
  return fileURLToPath(new URL(`${name.startsWith('../') ? '' : './'}${name}${extname(here)}`, import.meta.url))
}

export class Box {
  readonly log: Logger
  private readonly loggers: Logger[] = []
  private readonly startedAt = Date.now()
  private readonly stopSteps: [string, () => Promise<void> | void][] = []
  private readonly units = new Map<string, SupervisedUnit>()
  private stopping: Promise<void> | undefined
  private status: (() => Promise<BoxStatus>) | undefined

  constructor(readonly config: Config) {
    this.log = this.logger('supervisor')
  }

  private logger(part: string): Logger {
    const logger = createLogger(part, loggerOptions(this.config.paths, this.config.settings.logs))
    this.loggers.push(logger)
    return logger
  }

  // Remember how to undo a step; stop() runs these in reverse order.
  private onStop(name: string, step: () => Promise<void> | void): void {
    this.stopSteps.push([name, step])
  }

  private pidFile(name: string): string {
    return join(this.config.paths.pids, `${name}.pid`)
  }

  // A child process unit with the box's restart policy, alerts and pid file; probed for liveness
  // unless a stronger check watches it (the receiver has its C-ECHO heartbeat).
  private child(name: string, module: string, alerts: AlertCenter, probed = true): ChildProgram {
    const heartbeat = () => this.config.settings.heartbeat
    return new ChildProgram({
      name,
      modulePath: sibling(module),
      logger: this.log,
      alerts,
      policy: () => this.config.settings.restart,
      liveness: probed ? () => ({ intervalMs: heartbeat().intervalSeconds * 1000, deadlineMs: silenceDeadlineMs(heartbeat()) }) : undefined,
      onSpawn: (pid) => void writeFile(this.pidFile(name), `${pid}\n`).catch(() => undefined),
    })
  }

  async start(): Promise<void> {
    const { paths, settings, streamsDir } = this.config
    await mkdir(paths.incomingTemp, { recursive: true })
    await mkdir(paths.memory, { recursive: true })
    await mkdir(paths.pids, { recursive: true })
    await writeFile(this.pidFile('supervisor'), `${process.pid}\n`)
    this.onStop('pid files', async () => {
      for (const name of ['receiver', 'sender', 'web', 'supervisor']) await rm(this.pidFile(name), { force: true })
    })
    this.log.info(`MagickBox starting: data in ${paths.root}, streams in ${streamsDir}, AE title ${settings.aet}, DICOM port ${settings.dicomPort}`)
    const alerts = new AlertCenter(this.log, () => settings.health.webhookUrl)
    const tls = await prepareTls(settings.tls, paths.root)
    if (tls) {
      const days = Math.floor((tls.validTo.getTime() - Date.now()) / 86_400_000)
      this.log.info(
        `TLS certificate ${tls.selfSigned ? '(self-signed) ' : ''}${tls.subject}, SHA-256 ${tls.fingerprint256}, valid until ${tls.validTo.toISOString().slice(0, 10)}; ` +
          `web interface ${settings.tls.web ? 'over HTTPS' : 'in clear (tls.web is false)'}, DICOM TLS ${settings.tls.dicomPort ? `on port ${settings.tls.dicomPort}` : 'off'}`,
      )
      if (days < 30) alerts.raise('tls-certificate', 'warning', `the TLS certificate ${tls.certificatePath} expires in ${days} day(s)`)
    }

    // Jobs: finish what the last run left, then index.
    const jobsLog = this.logger('jobs')
    const index = new JobIndex(paths.index)
    this.onStop('job index', () => index.close())
    const store = new JobStore(paths, index, jobsLog)
    this.onStop('job writes', () => store.flush())
    const recovered = await recoverStagedJobs({ paths, store, logger: jobsLog })
    if (recovered) this.log.info(`finished creating ${recovered} job(s) interrupted by the last stop`)
    const summary = await store.reconcile()
    this.log.info(`job index: ${summary.scanned} job folder(s), ${summary.reread} re-read, ${summary.removed} removed`)
    for (const job of store.activeJobs()) {
      if (job.state === 'running') await store.move(job, 'queued', 'the box stopped while this job was running; it runs again', { waitingReason: undefined })
    }

    const catalog = new StreamCatalog(streamsDir)
    const docker = new DockerEngine()

    // Sending: a child process, the scheduler here.
    const sender = this.child('sender', 'sender/sender-main', alerts)
    const senderClient = new SenderClient(sender)
    sender.start()
    this.units.set(sender.name, sender)
    this.onStop('sender', () => sender.stop())
    const scheduler = new DeliveryScheduler({
      send: (request) => senderClient.send(request),
      store,
      settings: () => settings,
      routingPath: paths.routing,
      routingLog: this.logger('routing'),
      senderLog: this.logger('sender'),
    })
    scheduler.start()
    this.onStop('deliveries', () => scheduler.stop())

    // Processing: one worker per stream.
    const pool = new WorkerPool({
      paths,
      store,
      docker,
      catalog,
      logger: jobsLog,
      route: (job) => scheduler.route(job),
      retrySeconds: () => settings.dockerRetrySeconds,
      containers: () => settings.containers,
    })
    for (const job of store.activeJobs().sort((a, b) => a.queuedAt.localeCompare(b.queuedAt))) {
      if (job.state === 'queued') pool.enqueue(job)
    }
    pool.start()
    this.onStop('stream workers', () => pool.stop(settings.stopGraceSeconds * 1000))
    const unwatch = watchStreams(catalog, this.log, () => {
      for (const ae of catalog.current().byAeTitle.keys()) pool.ensure(ae)
    })
    this.onStop('stream watch', unwatch)

    // Receiving: study completion here, the SCP in a child process.
    const collector = new StudyCollector({
      incomingDir: paths.incoming,
      quietSecondsFor: (ae) => catalog.find(ae)?.quietSeconds ?? settings.quietSeconds,
      complete: async (groupKey, completion) => {
        const job = await createJobFromGroup({ paths, store, logger: jobsLog }, groupKey, completion)
        if (job) pool.enqueue(job)
      },
      logger: jobsLog,
    })
    await collector.start()
    this.onStop('study completion', () => collector.stop())
    let admission: AdmissionState | undefined
    const receiver = this.child('receiver', 'receiver/receiver-main', alerts, false)
    receiver.on('message', (raw) => {
      const message = raw as ReceiverMessage
      if (message.type === 'instance-stored') collector.noteInstance(message.event)
      else if (message.type === 'activity') collector.noteActivity(message.calledAE, message.callingAE, message.at)
      else if (message.type === 'ready') this.log.info(`receiver ready on DICOM port ${message.port}`)
      else if (message.type === 'admission') {
        admission = message
        const text = `${(message.freeBytes / 1024 ** 2).toFixed(0)} MB free on the data disk, reserve ${(message.reserveBytes / 1024 ** 2).toFixed(0)} MB`
        if (message.open) alerts.clear('admission', `receiving again: ${text}`)
        else alerts.raise('admission', 'critical', `receiving stopped, new associations are rejected: ${text}`)
      }
    })
    receiver.start()
    this.units.set(receiver.name, receiver)
    this.onStop('receiver', () => receiver.stop())

    // The web interface: a child process of its own, so a problem there never stops receiving.
    const web = this.child('web', '../web/server', alerts)
    web.on('message', (raw) => {
      const message = raw as { type?: string; port?: number }
      if (message.type === 'ready') this.log.info(`web interface on port ${message.port}`)
    })

    // Keeping it alive: heartbeat, health, retention.
    const heartbeat = new Heartbeat({
      settings: () => settings.heartbeat,
      port: settings.dicomPort,
      ownAE: settings.aet,
      receiverRunning: () => receiver.status().state === 'running',
      receiverPid: () => receiver.pid,
      killReceiver: (reason) => receiver.kill(reason),
      logger: this.log,
    })
    heartbeat.start()
    this.onStop('heartbeat', () => heartbeat.stop())
    const health = new HealthMonitor({ settings: () => settings.health, scratchDir: paths.scratch, dockerPing: () => docker.ping(), alerts, logger: this.log })
    health.start()
    this.onStop('health checks', () => health.stop())
    const retentionLog = this.logger('retention')
    const retention = new Retention({ paths, index, settings: () => settings.retention, docker, logger: retentionLog })
    const retentionTask = new ScheduledTask(
      'retention',
      settings.retention.schedule,
      async () => {
        const r = await retention.run()
        return `${r.dryRun ? 'dry run: would delete' : 'deleted'} ${r.deletedJobs} job(s) (${(r.freedBytes / 1024 ** 2).toFixed(1)} MB), swept ${r.sweptFiles} temp file(s) and ${r.removedContainers} container(s); disk ${r.usedPercentBefore.toFixed(1)} % → ${r.usedPercentAfter.toFixed(1)} %`
      },
      retentionLog,
    )
    retentionTask.start()
    this.units.set(retentionTask.name, retentionTask)
    this.onStop('retention', () => retentionTask.stop())

    // The status page and API on 127.0.0.1.
    this.status = async () => {
      const active = store.activeJobs()
      return {
        box: {
          version: IMPLEMENTATION_VERSION_NAME,
          aet: settings.aet,
          dicomPort: settings.dicomPort,
          dataDir: paths.root,
          streamsDir,
          pid: process.pid,
          startedAt: new Date(this.startedAt).toISOString(),
          uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
        },
        units: [...this.units.values(), ...pool.list()].map((u) => u.status()),
        heartbeat: heartbeat.state,
        admission,
        health: health.latest(),
        alerts: alerts.list(),
        queues: pool.depths(),
        jobs: {
          queued: active.filter((j) => j.state === 'queued').length,
          running: active.filter((j) => j.state === 'running').length,
          routing: active.filter((j) => j.state === 'routing').length,
          indexed: index.count(),
        },
      }
    }
    const commands = new JobCommands({ store, pool, scheduler, logger: jobsLog })
    const token = randomBytes(24).toString('hex')
    await writeFile(join(paths.root, CONTROL_TOKEN_FILE), `${token}\n`, { mode: 0o600 })
    const statusServer = new StatusServer({
      port: settings.statusPort,
      token,
      status: this.status,
      healthHistory: () => health.history(),
      commands: {
        restartUnit: async (name, by) => {
          const unit = this.units.get(name) ?? pool.list().find((w) => w.name === name)
          if (!unit) return false
          await unit.restart(`requested by ${by}`)
          return true
        },
        runRetention: async () => retentionTask.runNow().then(() => retentionTask.status()),
        rerunJob: (id, by) => commands.rerun(id, by),
        resendJob: (id, all, by) => commands.resend(id, all, by),
        cancelJob: (id, by) => commands.cancel(id, by),
        deleteJob: async (id, by) => {
          await commands.remove(id, by)
          return { deleted: id }
        },
        reloadSettings: (by) => this.reloadSettings(by),
      },
    })
    try {
      await statusServer.start()
      this.onStop('status page', () => statusServer.stop())
      this.log.info(`status on http://127.0.0.1:${settings.statusPort}/`)
    } catch (error) {
      this.log.error(`no status page: cannot listen on 127.0.0.1:${settings.statusPort}: ${(error as Error).message}`)
    }
    // Started last: it talks to the status API and reads the index.
    web.start()
    this.units.set(web.name, web)
    this.onStop('web interface', () => web.stop())
    this.log.info('MagickBox is up')
  }

  // Re-read settings.json (after the setup page changed it); ports and the AE title need a restart.
  async reloadSettings(by: string): Promise<{ changed: string[]; needRestart: string[] }> {
    const fresh = await readSettingsFile(this.config.paths.settings)
    const current = this.config.settings as unknown as Record<string, unknown>
    const changed: string[] = []
    const needRestart: string[] = []
    for (const [key, value] of Object.entries(fresh)) {
      if (JSON.stringify(current[key]) === JSON.stringify(value)) continue
      if (['dicomPort', 'webPort', 'statusPort', 'aet', 'receiver', 'logs', 'tls'].includes(key)) {
        needRestart.push(key)
        continue
      }
      current[key] = value
      changed.push(key)
    }
    this.log.info(`settings reloaded by ${by}: ${changed.length ? `changed ${changed.join(', ')}` : 'nothing changed'}${needRestart.length ? `; ${needRestart.join(', ')} take effect after a restart` : ''}`)
    return { changed, needRestart }
  }

  // Stop in reverse start order; every step runs even when an earlier one fails. Idempotent.
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info('MagickBox stopping')
      for (const [name, step] of [...this.stopSteps].reverse()) {
        try {
          await step()
        } catch (error) {
          this.log.error(`stopping ${name} failed: ${(error as Error).message}`)
        }
      }
      this.log.info('MagickBox stopped')
      for (const logger of this.loggers) logger.close()
    })()
    return this.stopping
  }
}
