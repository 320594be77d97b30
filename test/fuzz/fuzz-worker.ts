/**
 * @module fuzz-worker
 * A child process that fuzzes one target (forked by fuzz-campaign.ts, which sends it a
 * FuzzWorkerData message): coverage of the box's sources from its own inspector session, the
 * allocation guard, the seeds, then the greybox loop until its deadline. It reports to the
 * parent: every new corpus entry, every crash, and its statistics at the end; the input running
 * now is in its progress file. (A process each, not worker threads: threads of one process
 * slow each other down when each takes precise coverage after every execution.)
 */
import { AllocationGuard } from './allocation-guard.js'
import { BlockCoverage } from './block-coverage.js'
import type { FuzzTarget } from './fuzz-target.js'
import { GreyboxFuzzer, type CrashRecord, type FuzzerStats } from './greybox-fuzzer.js'
import { ProgressFile } from './progress-file.js'

export interface FuzzWorkerData {
  /** A module exporting fuzzTarget(name). */
  registryUrl: string
  target: string
  seed: string
  seeds: Uint8Array[]
  until: number
  maxExecutions: number
  progressPath: string
  /** URL prefixes of the scripts whose coverage counts. */
  include: string[]
  allocationLimitBytes: number
}

export type FuzzWorkerMessage =
  | { type: 'entry'; input: Uint8Array }
  | { type: 'crash'; crash: CrashRecord }
  | { type: 'seeded'; stats: FuzzerStats }
  | { type: 'done'; stats: FuzzerStats }

const post = (message: FuzzWorkerMessage) => new Promise<void>((resolve) => process.send!(message, undefined, undefined, () => resolve()))

async function fuzzWith(data: FuzzWorkerData): Promise<void> {
  const registry = (await import(data.registryUrl)) as { fuzzTarget(name: string): FuzzTarget }
  const target = registry.fuzzTarget(data.target)
  const progress = new ProgressFile(data.progressPath)
  const coverage = new BlockCoverage((url) => data.include.some((prefix) => url.startsWith(prefix)))
  const guard = new AllocationGuard(data.allocationLimitBytes)
  guard.install()
  coverage.start()
  const fuzzer = new GreyboxFuzzer(target, {
    seed: data.seed,
    coverage,
    guard,
    beforeRun: (input) => progress.publish(input),
    onNewEntry: (input) => void post({ type: 'entry', input }),
    onCrash: (crash) => void post({ type: 'crash', crash }),
  })
  // A promise rejected and never handled, from work an input started, is a crash of that input.
  process.on('unhandledRejection', (reason) => {
    const e = reason instanceof Error ? reason : new Error(String(reason))
    const input = ProgressFile.read(data.progressPath).input
    void post({
      type: 'crash',
      crash: { target: target.name, kind: 'exception', signature: `unhandled rejection ${e.name}: ${e.message.slice(0, 120)}`, message: `unhandled rejection ${e.name}: ${e.message}`, stack: e.stack ?? '', input, count: 1 },
    })
  })
  await fuzzer.loadSeeds(data.seeds.map((s) => Buffer.from(s)))
  await post({ type: 'seeded', stats: fuzzer.stats() })
  await fuzzer.fuzz({ until: data.until, maxExecutions: data.maxExecutions })
  coverage.stop()
  progress.close()
  await post({ type: 'done', stats: fuzzer.stats() })
  process.disconnect()
}

process.once('message', (data: FuzzWorkerData) => void fuzzWith(data))
