/**
 * @module process-runner
 * Runs a stream as a local process (no container) through execa: the command from info.json,
 * run in the stream's folder, with the input and output folders appended as its last two
 * arguments and MAGICKBOX_INPUT, MAGICKBOX_OUTPUT, MAGICKBOX_MEMORY in its environment.
 */
import { existsSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { execa } from 'execa'
import { RunnerError, type RunRequest, type RunResult } from './run-request.js'

// The program to start: a file in the stream's folder, `node` (this Node.js), or a name on PATH.
export function resolveProgram(folder: string, program: string): string {
  if (isAbsolute(program)) return program
  const local = join(folder, program)
  if (existsSync(local)) return local
  if (program === 'node') return process.execPath
  if (program.includes('/')) throw new RunnerError(`command ${program} does not exist in ${folder}`)
  return program
}

export async function runProcess(request: RunRequest): Promise<RunResult> {
  const { stream } = request
  const [program, ...args] = stream.command
  if (!program) throw new RunnerError('the stream has no command')
  const child = execa(resolveProgram(stream.folder, program), [...args, request.inputDir, request.outputDir], {
    cwd: stream.folder,
    env: {
      MAGICKBOX_INPUT: request.inputDir,
      MAGICKBOX_OUTPUT: request.outputDir,
      MAGICKBOX_MEMORY: request.memoryDir,
      MAGICKBOX_JOB: request.jobId,
    },
    all: true,
    buffer: false,
    reject: false,
    stdin: 'ignore',
    timeout: stream.timeoutMinutes * 60_000,
    forceKillAfterDelay: 5000,
    cancelSignal: request.signal,
  })
  child.all?.pipe(request.log, { end: false })
  const result = await child
  if (result.failed && result.exitCode === undefined && !result.timedOut && !result.isCanceled) {
    throw new RunnerError(result.shortMessage ?? result.message)
  }
  return { exitCode: result.timedOut ? null : (result.exitCode ?? null), timedOut: result.timedOut }
}
