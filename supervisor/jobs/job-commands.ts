/**
 * @module job-commands
 * What an operator can do to a job (through the web interface or the CLI, by way of the
 * supervisor, the only writer of jobs): re-run it, resend its results, cancel it, delete it.
 * Each command checks the job's state first and is logged with who asked.
 */
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { DELIVERIES_DIR, OUTPUT_DIR } from '../config/data-paths.js'
import type { Logger } from '../logging/logger.js'
import type { WorkerPool } from '../queue/worker-pool.js'
import type { DeliveryScheduler } from '../sender/delivery-scheduler.js'
import type { Job, JobState } from './job.js'
import type { JobStore } from './job-store.js'
import { canMove } from './job-transitions.js'

export class JobCommandError extends Error {
  override name = 'JobCommandError'
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message)
  }
}

export interface JobCommandDeps {
  store: JobStore
  pool: WorkerPool
  scheduler: DeliveryScheduler
  logger: Logger
}

const FINISHED: JobState[] = ['done', 'failed', 'cancelled']

export class JobCommands {
  constructor(private readonly deps: JobCommandDeps) {}

  private async load(id: string): Promise<Job> {
    const job = await this.deps.store.get(id)
    if (!job) throw new JobCommandError(404, `no job ${id}`)
    return job
  }

  private refuse(job: Job, what: string): never {
    throw new JobCommandError(409, `job ${job.id} is ${job.state}: it cannot be ${what} now`)
  }

  // Run a finished job again from its input: output and deliveries start afresh.
  async rerun(id: string, by: string): Promise<Job> {
    const job = await this.load(id)
    if (!FINISHED.includes(job.state)) this.refuse(job, 're-run')
    const folder = this.deps.store.folder(job.id)
    await rm(join(folder, DELIVERIES_DIR), { recursive: true, force: true })
    for (const name of await readdir(join(folder, OUTPUT_DIR)).catch(() => [] as string[])) await rm(join(folder, OUTPUT_DIR, name), { recursive: true, force: true })
    await this.deps.store.move(job, 'queued', `re-run requested by ${by}`, {
      queuedAt: new Date().toISOString(),
      deliveries: [],
      routingNote: undefined,
      failedReason: undefined,
      outcome: undefined,
      outcomeMessage: undefined,
      exitCode: undefined,
      startedAt: undefined,
      finishedAt: undefined,
    })
    this.deps.pool.enqueue(job)
    return job
  }

  // Send the results again: only what was not delivered, or (all) everything to every destination routing picks now.
  async resend(id: string, all: boolean, by: string): Promise<Job> {
    const job = await this.load(id)
    if (!canMove(job.state, 'routing') || !job.outcome) this.refuse(job, 'resent')
    if (all || job.deliveries.length === 0) {
      await rm(join(this.deps.store.folder(job.id), DELIVERIES_DIR), { recursive: true, force: true })
      await this.deps.store.move(job, 'routing', `${all ? 'resend of everything' : 'resend'} requested by ${by}`, { deliveries: [], failedReason: undefined })
      await this.deps.scheduler.route(job)
      return job
    }
    for (const delivery of job.deliveries) {
      if (delivery.state === 'done') continue
      Object.assign(delivery, { state: 'pending', attempts: 0, failed: 0, lastError: undefined, finishedAt: undefined, nextAttemptAt: undefined })
    }
    await this.deps.store.move(job, 'routing', `resend of what was not delivered requested by ${by}`, { failedReason: undefined })
    this.deps.scheduler.resume(job)
    return job
  }

  async cancel(id: string, by: string): Promise<Job> {
    const job = await this.load(id)
    if (job.state === 'running') {
      if (!this.deps.pool.cancel(job.id)) this.refuse(job, 'cancelled')
      this.deps.logger.info(`job ${job.id}: cancel requested by ${by}; stopping its run`)
      return job
    }
    if (!canMove(job.state, 'cancelled')) this.refuse(job, 'cancelled')
    this.deps.scheduler.forget(job.id)
    await this.deps.store.move(job, 'cancelled', `cancelled by ${by}`)
    return job
  }

  // Delete a finished job's folder and its index row.
  async remove(id: string, by: string): Promise<void> {
    const job = await this.load(id)
    if (!FINISHED.includes(job.state)) this.refuse(job, 'deleted (cancel it first)')
    this.deps.scheduler.forget(job.id)
    await this.deps.store.remove(job.id)
    this.deps.logger.info(`job ${job.id} (${job.stream}, study ${this.deps.logger.ids.uid(job.studyInstanceUID)}) deleted by ${by}`)
  }
}
