/**
 * @module delivery-scheduler
 * After a job ran: evaluates routing.json, records one delivery per destination in job.json,
 * and sends them, each on its own schedule (one unreachable destination never delays another),
 * retrying only what failed with backoff until every delivery is done or has given up. Jobs that
 * were routing when the box stopped resume here, sending only what was not yet acknowledged.
 */
import { dirname, join } from 'node:path'
import { OUTPUT_DIR, INPUT_DIR } from '../config/data-paths.js'
import type { Settings } from '../config/settings.js'
import { readJsonIfExists } from '../fs/read-json.js'
import type { Delivery, Job } from '../jobs/job.js'
import type { JobStore } from '../jobs/job-store.js'
import type { Logger } from '../logging/logger.js'
import { routeJob } from '../routing/route-job.js'
import { parseRoutingTable } from '../routing/routing-table.js'
import { attemptsLeft, retryDelaySeconds } from './backoff.js'
import { DeliveryLedger } from './delivery-ledger.js'
import type { ScuTarget } from '../dicom/scu-association.js'
import { listRoutedFiles, type RoutedFile } from './routed-files.js'
import type { AttemptResult } from './send-instances.js'
import { SenderUnavailableError } from './sender-client.js'
import { describeTls, resolveTlsFiles } from '../tls/destination-tls.js'

/** Runs one attempt (in the sender child, or in-process). */
export type SendAttempt = (request: { jobFolder: string; deliveryId: string; files: RoutedFile[]; target: ScuTarget }) => Promise<AttemptResult>

export interface DeliverySchedulerDeps {
  send: SendAttempt
  store: JobStore
  settings: () => Settings
  routingPath: string
  routingLog: Logger
  senderLog: Logger
}

const FINISHED = new Set(['done', 'failed'])

export class DeliveryScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private readonly running = new Map<string, Promise<void>>()
  private stopped = false

  constructor(private readonly deps: DeliverySchedulerDeps) {}

  // Resume the deliveries of jobs that were routing when the box stopped.
  start(): void {
    this.stopped = false
    for (const job of this.deps.store.activeJobs()) if (job.state === 'routing') this.resume(job)
  }

  // Schedule every unfinished delivery of a job in routing (after a restart, or a resend).
  resume(job: Job): void {
    if (job.deliveries.length === 0) {
      // Stopped between running and recording its deliveries: decide again.
      this.deps.routingLog.info(`job ${job.id} has no deliveries recorded; routing it again`)
      void this.route(job).catch((error: Error) => this.deps.routingLog.error(`job ${job.id}: routing failed: ${error.message}`))
      return
    }
    for (const delivery of job.deliveries) {
      if (FINISHED.has(delivery.state)) continue
      const due = delivery.nextAttemptAt ? Date.parse(delivery.nextAttemptAt) : Date.now()
      this.deps.senderLog.info(`job ${job.id}: delivery ${delivery.id} to ${label(delivery)} resumes (${delivery.sent} of ${delivery.instances} acknowledged so far)`)
      this.schedule(job, delivery, due)
    }
    void this.settleJob(job)
  }

  // Drop the timers of a job (cancelled or deleted); an attempt under way finishes but changes nothing.
  forget(jobId: string): void {
    for (const [key, timer] of this.timers) {
      if (!key.startsWith(`${jobId}/`)) continue
      clearTimeout(timer)
      this.timers.delete(key)
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
    await Promise.allSettled(this.running.values())
  }

  // Decide where a job's results go and start sending (the job is in state routing).
  async route(job: Job): Promise<void> {
    const log = this.deps.routingLog
    let raw: unknown
    try {
      raw = await readJsonIfExists(this.deps.routingPath)
    } catch (error) {
      log.error(`job ${job.id}: ${(error as Error).message}`)
      await this.deps.store.move(job, 'failed', `routing.json cannot be read: ${(error as Error).message}`, { failedReason: `routing.json cannot be read: ${(error as Error).message}` })
      return
    }
    if (raw === undefined) {
      const note = 'no routing.json: nothing was sent; the results stay in the job'
      log.info(`job ${job.id} (${job.stream}, outcome ${job.outcome}): ${note}`)
      await this.deps.store.move(job, 'done', note, { routingNote: note })
      return
    }
    let table
    try {
      table = parseRoutingTable(raw)
    } catch (error) {
      const reason = `routing.json is invalid: ${(error as Error).message}`
      log.error(`job ${job.id}: ${reason}`)
      await this.deps.store.move(job, 'failed', reason, { failedReason: reason })
      return
    }
    const settings = this.deps.settings()
    const facts = { calledAE: job.calledAE, callingAE: job.callingAE, callerIP: job.callerIP, outcome: job.outcome ?? 'failed' }
    const result = routeJob(table, facts, { defaultDestination: settings.defaultDestination, callingAE: settings.delivery.callingAE })
    log.info(`job ${job.id}: routing for called "${facts.calledAE}", calling "${facts.callingAE}", outcome "${facts.outcome}"`)
    for (const line of result.trace) log.info(`job ${job.id}: ${line}`)
    const deliveries: Delivery[] = result.decisions.map((d, i) =>
      newDelivery({ id: `d${i + 1}`, rule: d.rule, why: d.why, destination: d.destination, directory: d.directory }),
    )
    for (const problem of result.problems) {
      deliveries.push(
        newDelivery({
          id: `d${deliveries.length + 1}`,
          rule: problem.split(',')[0] ?? '',
          why: problem,
          state: 'failed',
          lastError: problem,
          finishedAt: new Date().toISOString(),
        }),
      )
    }
    if (deliveries.length === 0) {
      const note = 'no routing rule matched; nothing was sent'
      await this.deps.store.move(job, 'done', note, { routingNote: note })
      return
    }
    job.deliveries = deliveries
    job.routingNote = `${result.decisions.length} destination(s) chosen by routing.json`
    await this.deps.store.save(job)
    for (const delivery of deliveries) if (delivery.state === 'pending') this.schedule(job, delivery, Date.now())
    await this.settleJob(job)
  }

  private schedule(job: Job, delivery: Delivery, atMs: number): void {
    if (this.stopped) return
    const key = `${job.id}/${delivery.id}`
    clearTimeout(this.timers.get(key))
    const timer = setTimeout(() => {
      this.timers.delete(key)
      const run = this.attempt(job, delivery)
        .catch((error: Error) => this.deps.senderLog.error(`job ${job.id}: delivery ${delivery.id} attempt failed unexpectedly: ${error.stack ?? error.message}`))
        .finally(() => this.running.delete(key))
      this.running.set(key, run)
    }, Math.max(0, atMs - Date.now()))
    this.timers.set(key, timer)
  }

  private async attempt(job: Job, delivery: Delivery): Promise<void> {
    if (job.state !== 'routing') return
    const settings = this.deps.settings()
    const policy = settings.delivery
    const log = this.deps.senderLog
    const folder = join(this.deps.store.folder(job.id), delivery.directory === 'input' ? INPUT_DIR : OUTPUT_DIR)
    const ledger = new DeliveryLedger(this.deps.store.folder(job.id), delivery.id)
    const { files, skipped } = await listRoutedFiles(folder)
    const acked = await ledger.acknowledged()
    const toSend = files.filter((f) => !acked.has(f.name))
    delivery.state = 'sending'
    delivery.attempts++
    delivery.instances = files.length
    delivery.skipped = skipped.length
    delivery.lastAttemptAt = new Date().toISOString()
    delivery.nextAttemptAt = undefined
    await this.deps.store.save(job)
    if (delivery.attempts === 1 && skipped.length) log.info(`job ${job.id}: ${skipped.length} file(s) in ${delivery.directory} are not DICOM and are not sent (e.g. ${skipped[0]!.name}: ${skipped[0]!.why})`)
    log.info(`job ${job.id}: delivery ${delivery.id} attempt ${delivery.attempts} to ${label(delivery)}: ${toSend.length} to send, ${acked.size} already acknowledged`)
    const target = {
      ...delivery.destination,
      tls: delivery.destination.tls && resolveTlsFiles(delivery.destination.tls, dirname(this.deps.routingPath)),
      connectTimeoutMs: policy.connectTimeoutSeconds * 1000,
      responseTimeoutMs: policy.responseTimeoutSeconds * 1000,
      maxPduLength: policy.maxPduLength,
    }
    let result: AttemptResult = { acknowledged: 0, failures: [], stoppedBy: undefined }
    if (toSend.length) {
      try {
        result = await this.deps.send({ jobFolder: this.deps.store.folder(job.id), deliveryId: delivery.id, files: toSend, target })
      } catch (error) {
        if (!(error instanceof SenderUnavailableError)) throw error
        // Not the destination's fault: this attempt does not count; what was acknowledged is in the ledger.
        delivery.attempts--
        delivery.state = 'pending'
        delivery.sent = (await ledger.acknowledged()).size
        delivery.nextAttemptAt = new Date(Date.now() + 2000).toISOString()
        log.warn(`job ${job.id}: delivery ${delivery.id} attempt interrupted: ${error.message}; it is tried again`)
        await this.deps.store.save(job)
        this.schedule(job, delivery, Date.now() + 2000)
        return
      }
    }
    await ledger.recordFailures(result.failures)
    delivery.sent = (await ledger.acknowledged()).size
    delivery.failed = result.failures.length
    delivery.lastError = result.stoppedBy ?? result.failures[0]?.why
    const now = new Date()
    if (result.failures.length === 0) {
      delivery.state = 'done'
      delivery.finishedAt = now.toISOString()
      delivery.lastError = undefined
      log.info(`job ${job.id}: delivery ${delivery.id} to ${label(delivery)} done: ${delivery.sent} instance(s) acknowledged`)
    } else if (result.failures.every((f) => f.permanent) || !attemptsLeft(delivery.attempts, policy)) {
      delivery.state = 'failed'
      delivery.finishedAt = now.toISOString()
      log.error(
        `job ${job.id}: delivery ${delivery.id} to ${label(delivery)} gave up after ${delivery.attempts} attempt(s): ${delivery.failed} instance(s) not delivered; ${delivery.lastError}`,
      )
    } else {
      const delay = retryDelaySeconds(delivery.attempts, policy)
      delivery.state = 'pending'
      delivery.nextAttemptAt = new Date(now.getTime() + delay * 1000).toISOString()
      log.warn(`job ${job.id}: delivery ${delivery.id} to ${label(delivery)}: ${delivery.failed} instance(s) failed (${delivery.lastError}); retry ${delivery.attempts + 1} of ${policy.maxAttempts} in ${delay} s`)
      this.schedule(job, delivery, now.getTime() + delay * 1000)
    }
    await this.deps.store.save(job)
    await this.settleJob(job)
  }

  // Finish the job once every delivery is done or has given up.
  private async settleJob(job: Job): Promise<void> {
    if (job.state !== 'routing' || !job.deliveries.every((d) => FINISHED.has(d.state))) return
    const failed = job.deliveries.filter((d) => d.state === 'failed')
    if (failed.length === 0) {
      await this.deps.store.move(job, 'done', `delivered to ${job.deliveries.length} destination(s)`, { routingNote: job.routingNote })
      return
    }
    const reason = failed.map((d) => `delivery to ${label(d)} gave up after ${d.attempts} attempt(s): ${d.lastError ?? 'unknown error'}`).join('; ')
    await this.deps.store.move(job, 'failed', reason, { failedReason: reason })
  }
}

// A delivery record with nothing sent yet.
function newDelivery(fields: Partial<Delivery> & Pick<Delivery, 'id' | 'rule' | 'why'>): Delivery {
  return {
    destination: { host: '', port: 0, calledAE: '', callingAE: '' },
    directory: 'output',
    state: 'pending',
    instances: 0,
    sent: 0,
    failed: 0,
    skipped: 0,
    attempts: 0,
    lastAttemptAt: undefined,
    nextAttemptAt: undefined,
    lastError: undefined,
    finishedAt: undefined,
    ...fields,
  }
}

function label(d: Delivery): string {
  return d.destination.host ? `${d.destination.calledAE}@${d.destination.host}:${d.destination.port}${describeTls(d.destination.tls)}` : d.why
}
