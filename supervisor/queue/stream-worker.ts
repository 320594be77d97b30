/**
 * @module stream-worker
 * One worker loop per stream: a FIFO of the stream's queued jobs, run `concurrency` at a time.
 * A job waits (and says why) while its stream is disabled or the Docker engine does not answer,
 * and runs once that is resolved.
 */
import type { Job } from '../jobs/job.js'
import type { JobStore } from '../jobs/job-store.js'
import type { Logger } from '../logging/logger.js'
import type { DockerEngine } from '../runners/docker-client.js'
import type { StreamCatalog } from '../streams/load-streams.js'
import type { SupervisedUnit } from '../supervision/supervised-unit.js'
import type { UnitStatus } from '../supervision/unit-state.js'
import { runJob, type RunJobDeps } from './run-job.js'

export interface StreamWorkerDeps extends RunJobDeps {
  catalog: StreamCatalog
  docker: DockerEngine
  store: JobStore
  logger: Logger
  /** Seconds between checks while jobs wait for Docker or for their stream. */
  retrySeconds: () => number
}

export class StreamWorker implements SupervisedUnit {
  private readonly queue: Job[] = []
  private readonly running = new Map<string, Promise<void>>()
  private retryTimer: NodeJS.Timeout | undefined
  private pumping = false
  private stopped = true
  private readonly controllers = new Map<string, AbortController>()

  private startedAt: number | undefined
  readonly name: string

  constructor(
    readonly aeTitle: string,
    private readonly deps: StreamWorkerDeps,
  ) {
    this.name = `worker ${aeTitle}`
  }

  status(): UnitStatus {
    const waiting = this.queue[0]?.waitingReason
    return {
      name: this.name,
      kind: 'worker',
      state: this.stopped ? 'stopped' : 'running',
      pid: undefined,
      startedAt: this.startedAt ? new Date(this.startedAt).toISOString() : undefined,
      uptimeSeconds: this.startedAt && !this.stopped ? Math.round((Date.now() - this.startedAt) / 1000) : undefined,
      restarts: 0,
      lastExit: undefined,
      detail: `${this.queue.length} queued, ${this.running.size} running${waiting ? `; waiting: ${waiting}` : ''}`,
    }
  }

  // Stop a running job of this worker (its run ends as cancelled); false when it is not running here.
  cancel(jobId: string): boolean {
    const controller = this.controllers.get(jobId)
    if (!controller) return false
    controller.abort('cancelled')
    return true
  }

  // Nudge the loop (a worker has no process to restart).
  async restart(): Promise<void> {
    clearTimeout(this.retryTimer)
    if (this.stopped) this.start()
    else void this.pump()
  }

  get depth(): { queued: number; running: number } {
    return { queued: this.queue.length, running: this.running.size }
  }

  start(): void {
    this.stopped = false
    this.startedAt = Date.now()
    void this.pump()
  }

  enqueue(job: Job): void {
    if (this.queue.some((j) => j.id === job.id) || this.running.has(job.id)) return
    this.queue.push(job)
    void this.pump()
  }

  // Stop taking jobs; wait for those running (they are aborted after `graceMs`).
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true
    clearTimeout(this.retryTimer)
    const timer = setTimeout(() => {
      for (const controller of this.controllers.values()) controller.abort('shutdown')
    }, graceMs)
    await Promise.allSettled(this.running.values())
    clearTimeout(timer)
  }

  private async wait(job: Job, reason: string): Promise<void> {
    if (job.waitingReason !== reason) {
      job.waitingReason = reason
      this.deps.logger.warn(`job ${job.id} waits: ${reason}`)
      await this.deps.store.save(job)
    }
    clearTimeout(this.retryTimer)
    this.retryTimer = setTimeout(() => void this.pump(), this.deps.retrySeconds() * 1000)
  }

  private async pump(): Promise<void> {
    if (this.pumping || this.stopped) return
    this.pumping = true
    try {
      while (!this.stopped && this.queue.length > 0) {
        const job = this.queue[0]!
        if (job.state !== 'queued') {
          this.queue.shift()
          continue
        }
        const stream = this.deps.catalog.find(this.aeTitle)
        if (!stream) {
          const entry = this.deps.catalog.current().entries.find((e) => e.definition?.aeTitle === this.aeTitle)
          if (entry) {
            await this.wait(job, `stream ${this.aeTitle} takes no jobs now: ${entry.problem}`)
            return
          }
          this.queue.shift()
          const reason = `no stream has AE title ${this.aeTitle} any more (looked in ${this.deps.catalog.streamsDir})`
          await this.deps.store.move(job, 'failed', `could not run: ${reason}`, { failedReason: reason, outcome: 'failed', outcomeMessage: reason })
          continue
        }
        if (this.running.size >= stream.concurrency) return
        if (stream.runner === 'docker') {
          try {
            await this.deps.docker.ping()
          } catch (error) {
            await this.wait(job, `${(error as Error).message}; the job runs when the engine is back`)
            return
          }
        }
        this.queue.shift()
        const controller = new AbortController()
        this.controllers.set(job.id, controller)
        const run = runJob(this.deps, job, stream, controller.signal)
          .catch((error: Error) => this.deps.logger.error(`job ${job.id} failed unexpectedly: ${error.stack ?? error.message}`))
          .finally(() => {
            this.running.delete(job.id)
            this.controllers.delete(job.id)
            void this.pump()
          })
        this.running.set(job.id, run)
      }
    } finally {
      this.pumping = false
    }
  }
}
