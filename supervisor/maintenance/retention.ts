/**
 * @module retention
 * The original's scrubStorage, done properly: deletes finished jobs past their time, and when the
 * data disk is above the high-water mark the longest finished jobs until it is below the
 * low-water mark; sweeps orphaned temp files and exited stream containers. A dry run logs what it
 * would delete. Every deletion is logged with its reason and size.
 */
import { readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { DataPaths } from '../config/data-paths.js'
import type { RetentionSettings } from '../config/settings.js'
import { diskUsage } from '../health/system-probe.js'
import type { JobIndex } from '../jobs/job-index.js'
import type { Logger } from '../logging/logger.js'
import type { DockerEngine } from '../runners/docker-client.js'
import { JOB_LABEL } from '../runners/docker-runner.js'
import { bytesToFree, planTimeRetention, type Deletion } from './retention-plan.js'

export interface RetentionDeps {
  paths: DataPaths
  index: JobIndex
  settings: () => RetentionSettings
  docker: DockerEngine
  logger: Logger
}

export interface RetentionReport {
  at: string
  dryRun: boolean
  deletedJobs: number
  freedBytes: number
  sweptFiles: number
  removedContainers: number
  usedPercentBefore: number
  usedPercentAfter: number
}

async function folderBytes(folder: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
    const path = join(folder, entry.name)
    if (entry.isDirectory()) total += await folderBytes(path)
    else total += (await stat(path).catch(() => ({ size: 0 }))).size
  }
  return total
}

export class Retention {
  constructor(private readonly deps: RetentionDeps) {}

  private async deleteJob(deletion: Deletion, dryRun: boolean): Promise<number> {
    const folder = join(this.deps.paths.scratch, deletion.id)
    const bytes = await folderBytes(folder)
    const size = `${(bytes / 1024 ** 2).toFixed(1)} MB`
    if (dryRun) {
      this.deps.logger.info(`dry run: would delete job ${deletion.id} (${size}): ${deletion.reason}`)
      return bytes
    }
    await rm(folder, { recursive: true, force: true })
    this.deps.index.remove(deletion.id)
    this.deps.logger.info(`deleted job ${deletion.id} (${size}): ${deletion.reason}`)
    return bytes
  }

  async run(): Promise<RetentionReport> {
    const policy = this.deps.settings()
    const dryRun = policy.dryRun
    const before = await diskUsage(this.deps.paths.scratch)
    const report: RetentionReport = {
      at: new Date().toISOString(),
      dryRun,
      deletedJobs: 0,
      freedBytes: 0,
      sweptFiles: 0,
      removedContainers: 0,
      usedPercentBefore: before.usedPercent,
      usedPercentAfter: before.usedPercent,
    }
    if (policy.enabled) {
      const finished = this.deps.index.finishedOldestFirst()
      const gone = new Set<string>()
      for (const deletion of planTimeRetention(finished, policy, new Date())) {
        report.freedBytes += await this.deleteJob(deletion, dryRun)
        report.deletedJobs++
        gone.add(deletion.id)
      }
      let need = bytesToFree(await diskUsage(this.deps.paths.scratch), policy)
      if (need > 0) {
        this.deps.logger.info(`data disk ${before.usedPercent.toFixed(1)} % full (above ${policy.highWaterPercent} %): freeing ${(need / 1024 ** 2).toFixed(0)} MB down to ${policy.lowWaterPercent} %`)
        for (const job of finished) {
          if (need <= 0) break
          if (gone.has(job.id)) continue
          const freed = await this.deleteJob({ id: job.id, reason: `disk above ${policy.highWaterPercent} %: oldest finished job (finished ${job.settledAt})` }, dryRun)
          report.freedBytes += freed
          report.deletedJobs++
          need -= freed
        }
        if (need > 0) this.deps.logger.warn(`no more finished jobs to delete: ${(need / 1024 ** 2).toFixed(0)} MB short of the low-water mark`)
      }
    }
    report.sweptFiles = await this.sweepTemp(policy, dryRun)
    report.removedContainers = await this.sweepContainers(dryRun)
    report.usedPercentAfter = (await diskUsage(this.deps.paths.scratch)).usedPercent
    return report
  }

  // Temp files left by dead associations, older than the orphan age.
  private async sweepTemp(policy: RetentionSettings, dryRun: boolean): Promise<number> {
    let swept = 0
    const cutoff = Date.now() - policy.orphanMinutes * 60_000
    for (const name of await readdir(this.deps.paths.incomingTemp).catch(() => [] as string[])) {
      const path = join(this.deps.paths.incomingTemp, name)
      const info = await stat(path).catch(() => undefined)
      if (!info || info.mtimeMs > cutoff) continue
      if (dryRun) this.deps.logger.info(`dry run: would remove orphaned temp file ${name}`)
      else {
        await rm(path, { recursive: true, force: true })
        this.deps.logger.info(`removed orphaned temp file ${name} (untouched for ${policy.orphanMinutes} min)`)
      }
      swept++
    }
    return swept
  }

  // Stream containers that exited but were not removed (the box removes its own; this is the net).
  private async sweepContainers(dryRun: boolean): Promise<number> {
    try {
      const ids = await this.deps.docker.exitedContainers(JOB_LABEL)
      for (const id of ids) {
        if (dryRun) this.deps.logger.info(`dry run: would remove exited stream container ${id.slice(0, 12)}`)
        else {
          await this.deps.docker.removeContainer(id)
          this.deps.logger.info(`removed exited stream container ${id.slice(0, 12)}`)
        }
      }
      return ids.length
    } catch {
      return 0 // no Docker engine: nothing to sweep
    }
  }
}
