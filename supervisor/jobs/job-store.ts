/**
 * @module job-store
 * The single writer of jobs: keeps the active jobs in memory, writes every change to the job's
 * job.json atomically (writes of one job are serialised and coalesced) and mirrors it into the
 * index.
 */
import { EventEmitter } from 'node:events'
import { readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { JOB_FILE, jobDir, type DataPaths } from '../config/data-paths.js'
import { writeJsonAtomic } from '../fs/atomic-write.js'
import { readJsonIfExists } from '../fs/read-json.js'
import type { Logger } from '../logging/logger.js'
import type { Job, JobState } from './job.js'
import { isJobId } from './job-id.js'
import type { JobIndex } from './job-index.js'
import { ACTIVE_STATES, moveJob } from './job-transitions.js'

export interface JobStoreEvents {
  changed: [job: Job]
}

interface WriteSlot {
  running: Promise<void>
  again: boolean
}

export class JobStore extends EventEmitter<JobStoreEvents> {
  private readonly active = new Map<string, Job>()
  private readonly writes = new Map<string, WriteSlot>()

  constructor(
    readonly paths: DataPaths,
    readonly index: JobIndex,
    private readonly logger: Logger,
  ) {
    super()
  }

  folder(id: string): string {
    return jobDir(this.paths, id)
  }

  // The job in memory when active, else from its job.json.
  async get(id: string): Promise<Job | undefined> {
    return this.active.get(id) ?? (isJobId(id) ? readJsonIfExists<Job>(join(this.folder(id), JOB_FILE)) : undefined)
  }

  activeJobs(): Job[] {
    return [...this.active.values()]
  }

  // Start tracking a job whose folder and job.json already exist (just created or found at start).
  async adopt(job: Job): Promise<void> {
    if ((ACTIVE_STATES as JobState[]).includes(job.state)) this.active.set(job.id, job)
    const info = await stat(join(this.folder(job.id), JOB_FILE))
    this.index.upsert(job, info.mtimeMs)
    this.emit('changed', job)
  }

  // Persist the job's current state (atomic job.json + index row).
  save(job: Job): Promise<void> {
    if ((ACTIVE_STATES as JobState[]).includes(job.state)) this.active.set(job.id, job)
    else this.active.delete(job.id)
    this.emit('changed', job)
    const slot = this.writes.get(job.id)
    if (slot) {
      slot.again = true
      return slot.running
    }
    const fresh: WriteSlot = { running: Promise.resolve(), again: false }
    fresh.running = (async () => {
      try {
        do {
          fresh.again = false
          const path = join(this.folder(job.id), JOB_FILE)
          await writeJsonAtomic(path, job)
          const info = await stat(path)
          this.index.upsert(job, info.mtimeMs)
        } while (fresh.again)
      } catch (error) {
        this.logger.error(`could not write job ${job.id}: ${(error as Error).message}`)
        throw error
      } finally {
        this.writes.delete(job.id)
      }
    })()
    this.writes.set(job.id, fresh)
    return fresh.running
  }

  // Delete a job's folder and index row (finished jobs only; the caller checks).
  async remove(id: string): Promise<void> {
    this.active.delete(id)
    await this.writes.get(id)?.running.catch(() => undefined)
    await rm(this.folder(id), { recursive: true, force: true })
    this.index.remove(id)
  }

  // Move a job to a new state, apply other changes, and persist.
  async move(job: Job, to: JobState, reason: string, changes: Partial<Job> = {}): Promise<Job> {
    moveJob(job, to, reason)
    Object.assign(job, changes)
    this.logger.info(`job ${job.id} (${job.stream}) is now ${to}: ${reason}`)
    await this.save(job)
    return job
  }

  // Wait until every pending write is on disk.
  async flush(): Promise<void> {
    await Promise.allSettled([...this.writes.values()].map((slot) => slot.running))
  }

  /**
   * Make the index agree with the job folders: rows are re-read where job.json changed, added
   * for folders the index lacks, and removed for folders that are gone. Active jobs are loaded.
   */
  async reconcile(): Promise<{ scanned: number; reread: number; removed: number }> {
    const names = (await readdir(this.paths.scratch).catch(() => [] as string[])).filter(isJobId)
    const stamps = new Map(this.index.stamps().map((s) => [s.id, s.mtimeMs]))
    const changed: { job: Job; mtimeMs: number }[] = []
    for (const id of names) {
      const path = join(this.folder(id), JOB_FILE)
      let mtimeMs: number
      try {
        mtimeMs = (await stat(path)).mtimeMs
      } catch {
        this.logger.warn(`job folder ${id} has no job.json; left alone`)
        continue
      }
      if (stamps.get(id) === mtimeMs) continue
      try {
        const job = await readJsonIfExists<Job>(path)
        if (job) changed.push({ job, mtimeMs })
      } catch (error) {
        this.logger.error(`job ${id}: ${(error as Error).message}; left out of the index`)
      }
    }
    const present = new Set(names)
    const gone = [...stamps.keys()].filter((id) => !present.has(id))
    this.index.transaction(() => {
      for (const { job, mtimeMs } of changed) this.index.upsert(job, mtimeMs)
      for (const id of gone) this.index.remove(id)
    })
    for (const job of this.index.inStates(ACTIVE_STATES)) this.active.set(job.id, job)
    return { scanned: names.length, reread: changed.length, removed: gone.length }
  }
}
