/**
 * @module process-runner
 * Runs a stream as a local process (no container) through execa: the command from info.json,
 * run in the stream's folder, with the input and output folders appended as its last two
 * arguments and MAGICKBOX_INPUT, MAGICKBOX_OUTPUT, MAGICKBOX_MEMORY in its environment.
 * The process gets its own process group, so a timeout or cancel stops everything it started
 * (SIGTERM, then SIGKILL), and nothing it left running outlives the job.
 */
import { existsSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { execa } from 'execa'
import { RunnerError, type RunRequest, type RunResult } from './run-request.js'

const KILL_GRACE_MS = 5000

// The program to start: a file in the stream's folder, `node` (this Node.js), or a name on PATH.
export function resolveProgram(folder: string, program: string): string {
  if (isAbsolute(program)) return program
  const local = join(folder, program)
  if (existsSync(local)) return local
  if (program === 'node') return process.execPath
  if (program.includes('/')) throw new RunnerError(`command ${program} does not exist in ${folder}`)
  return program
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return
  try {
    process.kill(-pid, signal)
  } catch {
    // the group is gone already
  }
}

export async function runProcess(request: RunRequest): Promise<RunResult> {
  const { stream } = request
  const [program, ...args] = stream.command
  if (!program) throw new RunnerError('the stream has no command')
  const leftovers = await killLeftoverProcesses(request.jobId)
  if (leftovers.length) request.log.write(`[magickbox ${new Date().toISOString()}] killed ${leftovers.length} process(es) left by an earlier run of this job: ${leftovers.join(', ')}\n`)
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
    detached: true,
  })
  child.all?.pipe(request.log, { end: false })
  let timedOut = false
  let killTimer: NodeJS.Timeout | undefined
  const stop = () => {
    killGroup(child.pid, 'SIGTERM')
    killTimer ??= setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS)
  }
  const limit = setTimeout(() => {
    timedOut = true
    stop()
  }, stream.timeoutMinutes * 60_000)
  request.signal?.addEventListener('abort', stop, { once: true })
  // Whatever the stream left running would hold its output open: end it with the stream.
  child.once('exit', () => killGroup(child.pid, 'SIGKILL'))
  try {
    const result = await child
    if (result.failed && result.exitCode === undefined && result.signal === undefined) {
      throw new RunnerError(result.shortMessage ?? result.message)
    }
    return { exitCode: timedOut ? null : (result.exitCode ?? null), timedOut }
  } finally {
    clearTimeout(limit)
    clearTimeout(killTimer)
    request.signal?.removeEventListener('abort', stop)
  }
}

// Processes a stream run of this job left behind when the box died under it (found by the
// MAGICKBOX_JOB variable in their environment): killed before the job runs again, so two runs
// never write the same output.
export async function killLeftoverProcesses(jobId: string): Promise<number[]> {
  const { readdir, readFile } = await import('node:fs/promises')
  const marker = `MAGICKBOX_JOB=${jobId}`
  const killed: number[] = []
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    const environ = await readFile(`/proc/${name}/environ`, 'latin1').catch(() => '')
    if (!environ.split('\0').includes(marker)) continue
    try {
      process.kill(Number(name), 'SIGKILL')
      killed.push(Number(name))
    } catch {
      // gone already
    }
  }
  return killed
}
