/**
 * @module worker-pool
 * The stream workers, one per AE title that has jobs; created on demand.
 */
import type { Job } from '../jobs/job.js'
import { StreamWorker, type StreamWorkerDeps } from './stream-worker.js'

export class WorkerPool {
  private readonly workers = new Map<string, StreamWorker>()
  private started = false

  constructor(private readonly deps: StreamWorkerDeps) {}

  private worker(aeTitle: string): StreamWorker {
    let worker = this.workers.get(aeTitle)
    if (!worker) {
      worker = new StreamWorker(aeTitle, this.deps)
      this.workers.set(aeTitle, worker)
      if (this.started) worker.start()
    }
    return worker
  }

  // Make sure a stream has its worker (so the status lists it before its first job).
  ensure(aeTitle: string): void {
    this.worker(aeTitle)
  }

  enqueue(job: Job): void {
    this.worker(job.stream).enqueue(job)
  }

  start(): void {
    this.started = true
    for (const worker of this.workers.values()) worker.start()
  }

  // Stop a running job wherever it runs.
  cancel(jobId: string): boolean {
    return [...this.workers.values()].some((w) => w.cancel(jobId))
  }

  list(): StreamWorker[] {
    return [...this.workers.values()]
  }

  depths(): Record<string, { queued: number; running: number }> {
    return Object.fromEntries([...this.workers].map(([ae, w]) => [ae, w.depth]))
  }

  async stop(graceMs?: number): Promise<void> {
    this.started = false
    await Promise.all([...this.workers.values()].map((w) => w.stop(graceMs)))
  }
}
