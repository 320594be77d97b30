/**
 * @module run-job
 * Runs one queued job through its stream: checks the stream and its image, moves the job to
 * running, runs the container or process with its output in processing.log, reads the outcome,
 * and hands the job to routing. A job that cannot run (stream gone, image missing) fails with
 * the reason in its log.
 */
import { createWriteStream } from 'node:fs'
import { mkdir, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { INPUT_DIR, OUTPUT_DIR, PROCESSING_LOG, streamMemoryDir, type DataPaths } from '../config/data-paths.js'
import type { ContainerSettings } from '../config/settings.js'
import type { Job } from '../jobs/job.js'
import type { JobStore } from '../jobs/job-store.js'
import type { Logger } from '../logging/logger.js'
import type { DockerEngine } from '../runners/docker-client.js'
import { containerUser, runInDocker } from '../runners/docker-runner.js'
import { runProcess } from '../runners/process-runner.js'
import { readOutcome } from '../runners/read-outcome.js'
import type { RunResult } from '../runners/run-request.js'
import { ensureStreamImage } from '../runners/stream-image.js'
import type { StreamDefinition } from '../streams/stream-definition.js'

export interface RunJobDeps {
  containers: () => ContainerSettings
  paths: DataPaths
  store: JobStore
  docker: DockerEngine
  logger: Logger
  route: (job: Job) => Promise<void>
}

async function emptyFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true })
  for (const name of await readdir(folder)) await rm(join(folder, name), { recursive: true, force: true })
}

export async function runJob(deps: RunJobDeps, job: Job, stream: StreamDefinition, signal?: AbortSignal): Promise<void> {
  const folder = deps.store.folder(job.id)
  const inputDir = join(folder, INPUT_DIR)
  const outputDir = join(folder, OUTPUT_DIR)
  const memoryDir = streamMemoryDir(deps.paths, stream.aeTitle)
  const log = createWriteStream(join(folder, PROCESSING_LOG), { flags: 'a' })
  const note = (line: string) => log.write(`[magickbox ${new Date().toISOString()}] ${line}\n`)
  try {
    if (stream.runner === 'docker') {
      try {
        containerUser({ jobId: job.id, stream, inputDir, outputDir, memoryDir, log, containers: deps.containers() })
        await ensureStreamImage(deps.docker, stream, (line) => note(line))
      } catch (error) {
        const reason = (error as Error).message
        note(`cannot run: ${reason}`)
        await deps.store.move(job, 'failed', `could not run: ${reason}`, { failedReason: reason, outcome: 'failed', outcomeMessage: reason })
        return
      }
    }
    await emptyFolder(outputDir)
    await mkdir(memoryDir, { recursive: true })
    const what = stream.runner === 'docker' ? `image ${stream.imageTag}, command ${JSON.stringify(stream.command)}` : `command ${JSON.stringify(stream.command)}`
    await deps.store.move(job, 'running', `stream ${stream.aeTitle} started (run ${job.runs + 1}, ${what})`, {
      runs: job.runs + 1,
      startedAt: new Date().toISOString(),
      waitingReason: undefined,
      finishedAt: undefined,
      exitCode: undefined,
      outcome: undefined,
      outcomeMessage: undefined,
    })
    note(`run ${job.runs} of job ${job.id}: stream ${stream.aeTitle} ${stream.version} (${stream.runner}, ${what}), ${job.instances} instance(s), time limit ${stream.timeoutMinutes} min`)
    const started = Date.now()
    let result: RunResult
    try {
      const request = { jobId: job.id, stream, inputDir, outputDir, memoryDir, log, signal, containers: deps.containers() }
      result = stream.runner === 'docker' ? await runInDocker(deps.docker, request) : await runProcess(request)
    } catch (error) {
      const reason = `the stream could not be started: ${(error as Error).message}`
      note(reason)
      await deps.store.move(job, 'failed', reason, { failedReason: reason, outcome: 'failed', outcomeMessage: reason, finishedAt: new Date().toISOString() })
      return
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    if (signal?.aborted && signal.reason === 'cancelled') {
      note(`cancelled by an operator after ${seconds} s`)
      await deps.store.move(job, 'cancelled', 'cancelled by an operator while it ran', { finishedAt: new Date().toISOString(), exitCode: result.exitCode })
      return
    }
    if (signal?.aborted) {
      // Stopped by a shutdown, not by the stream: the job stays running and runs again at the next start.
      note(`stopped after ${seconds} s because the box is shutting down; the job runs again when it starts`)
      return
    }
    const outcome = await readOutcome(result, outputDir, stream.timeoutMinutes)
    note(`finished after ${seconds} s: ${result.timedOut ? 'timed out' : `exit code ${result.exitCode}`}; outcome ${outcome.outcome} (${outcome.message})`)
    await deps.store.move(job, 'routing', `stream finished after ${seconds} s with outcome ${outcome.outcome}: ${outcome.message}`, {
      finishedAt: new Date().toISOString(),
      exitCode: result.exitCode,
      outcome: outcome.outcome,
      outcomeMessage: outcome.message,
    })
  } finally {
    await new Promise<void>((resolve) => log.end(resolve))
  }
  if (job.state === 'routing') await deps.route(job)
}
