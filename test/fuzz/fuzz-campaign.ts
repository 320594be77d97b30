/**
 * @module fuzz-campaign
 * Runs fuzz targets, each in its own child process (fuzz-worker.ts), a few at a time, and
 * watches them: an execution that does not end within the timeout, or a process that runs out
 * of heap, is a crash of the input it was running (read from its progress file); the process is
 * then replaced and goes on from the corpus found so far. Collects per target: executions, corpus
 * size, coverage, crashes; writes new corpus entries and crashes to a folder when asked.
 */
import { fork } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { CORPUS_ROOT, inputHash, readCorpus, REGRESSIONS_ROOT, writeCorpusEntry } from './corpus-files.js'
import type { FuzzWorkerData, FuzzWorkerMessage } from './fuzz-worker.js'
import { crashSignature, type CrashKind, type CrashRecord, type FuzzerStats } from './greybox-fuzzer.js'
import { ProgressFile } from './progress-file.js'

const ROOT = join(import.meta.dirname, '..', '..')
const WORKER = fileURLToPath(new URL('./fuzz-worker.ts', import.meta.url))
/** tsx's loader, resolved here so the fuzzing processes find it from any working folder. */
const TSX = import.meta.resolve('tsx')

export interface CampaignOptions {
  targets: string[]
  secondsPerTarget: number
  /** Workers at once. @defaultValue 2 */
  parallel?: number
  seed: string
  maxExecutionsPerTarget?: number
  /** Module exporting fuzzTarget(name). @defaultValue fuzz-targets.ts */
  registryUrl?: string
  /** Seed folders of a target. @defaultValue its corpus and regressions folders */
  seedFolders?: (target: string) => string[]
  /** Where new corpus entries and crashes go (<outDir>/<target>/corpus, /crashes); nowhere when undefined. */
  outDir?: string
  /** Script URL prefixes whose blocks count. @defaultValue the box's sources (supervisor/) */
  include?: string[]
  /** @defaultValue 2000 */
  execTimeoutMs?: number
  /** Heap of a fuzzing process (MB). @defaultValue 512 */
  heapLimitMb?: number
  /** @defaultValue 32 MiB */
  allocationLimitBytes?: number
  log?: (line: string) => void
}

export interface TargetResult {
  target: string
  executions: number
  seeds: number
  corpus: number
  coverageBlocks: number
  seedCoverageBlocks: number
  features: number
  crashes: CrashRecord[]
  /** Workers replaced after a timeout or running out of heap. */
  restarts: number
  /** Wall-clock time, starting the fuzzing processes included. */
  seconds: number
  /** Executions per second while fuzzing (the last process, its start-up not counted). */
  executionsPerSecond: number
}

function toCrash(raw: CrashRecord): CrashRecord {
  return { ...raw, input: Buffer.from(raw.input) }
}

async function fuzzOneTarget(name: string, options: CampaignOptions): Promise<TargetResult> {
  const started = Date.now()
  const deadline = started + options.secondsPerTarget * 1000
  const seedFiles = (options.seedFolders ?? ((t) => [join(CORPUS_ROOT, t), join(REGRESSIONS_ROOT, t)]))(name).flatMap(readCorpus)
  const found: Buffer[] = []
  const crashes = new Map<string, CrashRecord>()
  let executions = 0
  let restarts = 0
  let last: FuzzerStats | undefined
  const log = options.log ?? (() => undefined)

  // A crash reported as it happened, or again in a worker's final statistics (then with its full count).
  const keepCrash = (crash: CrashRecord, final = false) => {
    const known = crashes.get(crash.signature)
    if (known) {
      known.count = final ? Math.max(known.count, crash.count) : known.count + crash.count
      if (crash.input.length < known.input.length) known.input = crash.input
      return
    }
    crashes.set(crash.signature, crash)
    log(`${name}: CRASH ${crash.signature} (input of ${crash.input.length} bytes: ${crash.input.subarray(0, 64).toString('hex')}${crash.input.length > 64 ? '…' : ''})`)
    if (options.outDir) writeCorpusEntry(join(options.outDir, name, 'crashes'), crash.input, `${inputHash(Buffer.from(crash.signature))}.bin`, `${crash.signature}\n${crash.message}\n${crash.stack}\n`)
  }

  while (Date.now() < deadline - 250 && executions < (options.maxExecutionsPerTarget ?? Infinity)) {
    const progressPath = join(tmpdir(), `magickbox-fuzz-${process.pid}-${name}-${restarts}.progress`)
    const data: FuzzWorkerData = {
      registryUrl: options.registryUrl ?? new URL('./fuzz-targets.ts', import.meta.url).href,
      target: name,
      // A replaced worker must not make the same choices as the one before it.
      seed: restarts === 0 ? options.seed : `${options.seed}:restart-${restarts}`,
      seeds: [...seedFiles.map((f) => f.input), ...found],
      until: deadline,
      maxExecutions: (options.maxExecutionsPerTarget ?? Infinity) - executions,
      progressPath,
      include: options.include ?? [`${pathToFileURL(join(ROOT, 'supervisor')).href}/`],
      allocationLimitBytes: options.allocationLimitBytes ?? 32 * 1024 * 1024,
    }
    const child = fork(WORKER, [], {
      execArgv: ['--import', TSX, `--max-old-space-size=${options.heapLimitMb ?? 512}`],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    })
    let stderr = ''
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
    child.send(data)
    const outcome = await new Promise<{ kind: 'done' } | { kind: CrashKind; message: string }>((resolve) => {
      let lastStarted = -1
      let lastChange = Date.now()
      const timeoutMs = options.execTimeoutMs ?? 2000
      const watchdog = setInterval(() => {
        const { started } = ProgressFile.read(progressPath)
        if (started !== lastStarted) {
          lastStarted = started
          lastChange = Date.now()
          return
        }
        // Before its first execution the child is still loading (tsx, the target's modules).
        if (Date.now() - lastChange > (started === 0 ? 60_000 : timeoutMs)) {
          clearInterval(watchdog)
          resolve({ kind: 'timeout', message: `Timeout: one execution ran longer than ${timeoutMs} ms` })
        }
      }, 100)
      child.on('message', (message: FuzzWorkerMessage) => {
        if (message.type === 'entry') {
          const input = Buffer.from(message.input)
          found.push(input)
          if (options.outDir) writeCorpusEntry(join(options.outDir, name, 'corpus'), input)
        } else if (message.type === 'crash') keepCrash(toCrash(message.crash))
        else if (message.type === 'seeded') log(`${name}: ${message.stats.seeds} seeds replayed, ${message.stats.coverageBlocks} blocks covered`)
        else if (message.type === 'done') {
          last = message.stats
          clearInterval(watchdog)
          resolve({ kind: 'done' })
        }
      })
      child.on('exit', (code, signal) => {
        clearInterval(watchdog)
        const oom = /heap out of memory|Reached heap limit/i.test(stderr)
        resolve({ kind: oom ? 'out-of-memory' : 'exception', message: oom ? `OutOfMemory: the heap grew past ${options.heapLimitMb ?? 512} MB` : `Error: the fuzzing process exited (${signal ?? code}) without reporting: ${stderr.trim().split('\n').slice(-3).join(' | ')}` })
      })
    })
    const progress = ProgressFile.read(progressPath)
    executions += outcome.kind === 'done' ? last!.executions : progress.started
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    }
    await rm(progressPath, { force: true })
    if (outcome.kind === 'done') break
    // The child hangs or died: the input it was running is the crash.
    keepCrash({ target: name, kind: outcome.kind, signature: crashSignature(outcome.kind, 'process', outcome.message, ''), message: outcome.message, stack: '', input: progress.input, count: 1 })
    restarts++
    if (restarts > 5) {
      log(`${name}: gave up after ${restarts} replaced workers`)
      break
    }
  }
  for (const crash of last?.crashes ?? []) keepCrash(toCrash(crash), true)
  return {
    target: name,
    executions,
    seeds: seedFiles.length,
    corpus: last?.corpus ?? seedFiles.length + found.length,
    coverageBlocks: last?.coverageBlocks ?? 0,
    seedCoverageBlocks: last?.seedCoverageBlocks ?? 0,
    features: last?.features ?? 0,
    crashes: [...crashes.values()],
    restarts,
    seconds: (Date.now() - started) / 1000,
    executionsPerSecond: last ? last.executions / Math.max(last.milliseconds / 1000, 0.001) : executions / Math.max((Date.now() - started) / 1000, 0.001),
  }
}

/** Fuzz every target for its time, `parallel` at once; results in the order of `targets`. */
export async function runFuzzCampaign(options: CampaignOptions): Promise<TargetResult[]> {
  const results = new Map<string, TargetResult>()
  const queue = [...options.targets]
  const lanes = Array.from({ length: Math.max(1, options.parallel ?? 2) }, async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) results.set(name, await fuzzOneTarget(name, options))
  })
  await Promise.all(lanes)
  return options.targets.map((t) => results.get(t)!)
}

/** One line per target, for logs and test output. */
export function describeResult(r: TargetResult): string {
  return (
    `${r.target.padEnd(15)} ${String(r.executions).padStart(8)} execs in ${r.seconds.toFixed(1)} s (${Math.round(r.executionsPerSecond)}/s)  ` +
    `corpus ${r.seeds} -> ${r.corpus}  coverage ${r.seedCoverageBlocks} -> ${r.coverageBlocks} blocks (${r.features} features)  ` +
    `crashes ${r.crashes.length}${r.restarts ? `  workers replaced ${r.restarts}` : ''}`
  )
}
