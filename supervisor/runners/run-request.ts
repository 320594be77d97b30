/**
 * @module run-request
 * What a runner is given and what it returns.
 */
import type { Writable } from 'node:stream'
import type { ContainerSettings } from '../config/settings.js'
import type { StreamDefinition } from '../streams/stream-definition.js'

export interface RunRequest {
  jobId: string
  stream: StreamDefinition
  inputDir: string
  outputDir: string
  memoryDir: string
  /** Where the stream's output goes (the job's processing.log). */
  log: Writable
  signal?: AbortSignal
  /** How containers are confined (uid, limits, who may run as root). */
  containers: ContainerSettings
}

export interface RunResult {
  exitCode: number | null
  timedOut: boolean
}

export class RunnerError extends Error {
  override name = 'RunnerError'
}
