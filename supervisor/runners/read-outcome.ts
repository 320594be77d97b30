/**
 * @module read-outcome
 * A run's outcome: a non-zero exit, a crash or a timeout is `failed`; otherwise the stream's
 * `proc.json` (`[{"success": "success"|"failed"|"partial", "message": "…"}]`, the original's
 * format) decides, and no proc.json means `success`.
 */
import { join } from 'node:path'
import { PROC_JSON } from '../config/data-paths.js'
import { readJsonIfExists } from '../fs/read-json.js'
import type { Outcome } from '../jobs/job.js'
import type { RunResult } from './run-request.js'

export interface JobOutcome {
  outcome: Outcome
  message: string
}

export async function readOutcome(result: RunResult, outputDir: string, timeoutMinutes: number): Promise<JobOutcome> {
  if (result.timedOut) return { outcome: 'failed', message: `stopped after its time limit of ${timeoutMinutes} minute(s)` }
  if (result.exitCode !== 0) return { outcome: 'failed', message: result.exitCode === null ? 'the stream was killed' : `the stream exited with code ${result.exitCode}` }
  let proc: unknown
  try {
    proc = await readJsonIfExists(join(outputDir, PROC_JSON))
  } catch (error) {
    return { outcome: 'failed', message: `proc.json is not valid JSON: ${(error as Error).message}` }
  }
  if (proc === undefined) return { outcome: 'success', message: 'exit code 0 (no proc.json)' }
  const first = Array.isArray(proc) ? proc[0] : proc
  const success = (first as { success?: unknown } | undefined)?.success
  const message = String((first as { message?: unknown } | undefined)?.message ?? '')
  if (success === 'success' || success === 'failed' || success === 'partial') {
    return { outcome: success, message: message || `proc.json says ${success}` }
  }
  return { outcome: 'failed', message: `proc.json "success" is ${JSON.stringify(success)}, not success, failed or partial` }
}
