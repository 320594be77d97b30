/**
 * @module greybox-fuzzer
 * The coverage-guided fuzzing loop for one target: pick a corpus entry, mutate it (seeded
 * PRNG), run it, read the blocks it reached (BlockCoverage); an input that reaches a new block,
 * or a known block a new number of times, joins the corpus. Every execution is checked against
 * the target's contract (fuzz-target.ts): an unexpected exception, a broken invariant or a
 * huge allocation is a crash, recorded once per distinct signature with the first input that
 * caused it. Timeouts and running out of heap are noticed by the thread that watches this one
 * (fuzz-campaign.ts), from the input each execution publishes first.
 */
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import type { AllocationGuard } from './allocation-guard.js'
import type { BlockCoverage } from './block-coverage.js'
import { InvariantViolation, isExpectedError, type FuzzTarget } from './fuzz-target.js'
import { mutate, type MutationContext } from './mutator.js'
import { Prng } from './prng.js'
import { sourceDictionary } from './source-dictionary.js'

export type CrashKind = 'exception' | 'invariant' | 'huge-allocation' | 'timeout' | 'out-of-memory'

export interface CrashRecord {
  target: string
  kind: CrashKind
  /** What makes two crashes the same one: kind, error and where it was thrown. */
  signature: string
  message: string
  stack: string
  input: Buffer
  /** Executions that crashed this way. */
  count: number
}

export interface FuzzerStats {
  target: string
  executions: number
  seeds: number
  corpus: number
  /** Blocks of the box's sources that some input reached. */
  coverageBlocks: number
  /** (block, hit-count bucket) pairs seen. */
  features: number
  /** Coverage after replaying the seeds only. */
  seedCoverageBlocks: number
  crashes: CrashRecord[]
  milliseconds: number
}

export interface GreyboxFuzzerOptions {
  seed: string
  coverage: BlockCoverage
  guard?: AllocationGuard
  /** Called with every input just before it runs (the watchdog keeps it). */
  beforeRun?: (input: Buffer) => void
  /** A new corpus entry (an input that reached new coverage). */
  onNewEntry?: (input: Buffer) => void
  onCrash?: (crash: CrashRecord) => void
  /** Keep inputs that reach new coverage (the "greybox"). Off, it mutates the seeds blindly. @defaultValue true */
  feedback?: boolean
  /** Add the literals of the code the seeds reached to the dictionary. @defaultValue true */
  sourceDictionary?: boolean
}

const FRAME = /((?:supervisor|test\/fuzz)\/[^ ():]+):(\d+):\d+\)?$/
const FUZZER_FILES = /^test\/fuzz\/(allocation-guard|greybox-fuzzer|fuzz-target)\.ts$/

// Where a crash happened: the first stack frame in the box's sources, else in a fuzz target.
function crashSite(stack: string): string {
  const frames = stack
    .split('\n')
    .slice(1)
    .map((line) => FRAME.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null && !FUZZER_FILES.test(m[1]!))
  const site = frames.find((m) => m[1]!.startsWith('supervisor/')) ?? frames[0]
  return site ? `${site[1]}:${site[2]}` : '?'
}

export function crashSignature(kind: CrashKind, name: string, message: string, stack: string): string {
  const site = kind === 'exception' || kind === 'huge-allocation' ? crashSite(stack) : ''
  // Numbers vary from input to input; the shape of the message does not.
  const shape = message.replace(/0x[0-9a-f]+/gi, 'N').replace(/\d+/g, 'N').slice(0, 120)
  return [`${kind} ${name}:`, site, shape].filter(Boolean).join(' ')
}

export class GreyboxFuzzer {
  private readonly prng: Prng
  private readonly corpus: Buffer[] = []
  private readonly corpusHashes = new Set<string>()
  private readonly seen = new Set<number>()
  private readonly crashes = new Map<string, CrashRecord>()
  private executions = 0
  private seeds = 0
  private seedCoverage = 0
  private readonly started = Date.now()
  private readonly mutation: MutationContext
  private readonly dictionary: Buffer[]

  constructor(
    readonly target: FuzzTarget,
    private readonly options: GreyboxFuzzerOptions,
  ) {
    this.prng = new Prng(`${options.seed}:${target.name}`)
    this.dictionary = [...(target.dictionary ?? [])]
    this.mutation = {
      prng: this.prng,
      corpus: this.corpus,
      maxLength: target.maxLength ?? 16384,
      dictionary: this.dictionary,
      lengthFields: target.lengthFields,
    }
  }

  /** Run the seeds; every one joins the corpus (new coverage or not). */
  async loadSeeds(inputs: Buffer[]): Promise<void> {
    // Without seeds, start from the empty input.
    for (const input of inputs.length > 0 ? inputs : [Buffer.alloc(0)]) {
      await this.execute(input, true)
      this.seeds++
    }
    // Every seed crashed: mutate the empty input.
    if (this.corpus.length === 0) this.add(Buffer.alloc(0))
    this.seedCoverage = this.options.coverage.covered.size
    if (this.options.sourceDictionary !== false) {
      const paths = [...this.options.coverage.scripts].filter((url) => url.startsWith('file:')).map((url) => fileURLToPath(url))
      this.dictionary.push(...sourceDictionary(paths))
    }
  }

  /** Fuzz until `until` (epoch ms) or `maxExecutions` executions in all. */
  async fuzz({ until, maxExecutions = Infinity }: { until: number; maxExecutions?: number }): Promise<void> {
    while (this.executions < maxExecutions) {
      if ((this.executions & 63) === 0) {
        if (Date.now() >= until) return
        // Let messages and timers through now and then.
        if ((this.executions & 1023) === 0) await new Promise((resolve) => setImmediate(resolve))
      }
      const parent = this.pick()
      await this.execute(mutate(parent, this.mutation), false)
    }
  }

  stats(): FuzzerStats {
    return {
      target: this.target.name,
      executions: this.executions,
      seeds: this.seeds,
      corpus: this.corpus.length,
      coverageBlocks: this.options.coverage.covered.size,
      features: this.seen.size,
      seedCoverageBlocks: this.seedCoverage,
      crashes: [...this.crashes.values()],
      milliseconds: Date.now() - this.started,
    }
  }

  // Newer entries are the frontier: the newest a third of the time, one of the last 16 another third.
  private pick(): Buffer {
    const n = this.corpus.length
    const r = this.prng.int(3)
    if (r === 0) return this.corpus[n - 1]!
    if (r === 1) return this.corpus[n - 1 - this.prng.int(Math.min(16, n))]!
    return this.corpus[this.prng.int(n)]!
  }

  private add(input: Buffer): boolean {
    const hash = createHash('sha1').update(input).digest('hex')
    if (this.corpusHashes.has(hash)) return false
    this.corpusHashes.add(hash)
    this.corpus.push(input)
    return true
  }

  /** Run one input, check it, learn from its coverage. */
  async execute(input: Buffer, isSeed: boolean): Promise<CrashRecord | undefined> {
    const { coverage, guard } = this.options
    if (this.target.async) coverage.reset()
    this.options.beforeRun?.(input)
    guard?.begin()
    let crash: CrashRecord | undefined
    try {
      const pending = this.target.run(input)
      if (pending) await pending
    } catch (error) {
      if (!isExpectedError(error)) crash = this.crash(error instanceof InvariantViolation ? 'invariant' : 'exception', error, input)
    }
    const allocation = guard?.end()
    this.executions++
    if (!crash && allocation) {
      crash = this.crash('huge-allocation', Object.assign(new Error(`an allocation of ${allocation.bytes} bytes for an input of ${input.length}`), { name: 'HugeAllocation', stack: allocation.stack }), input)
    }
    let fresh = false
    for (const feature of coverage.sample()) {
      if (this.seen.has(feature)) continue
      this.seen.add(feature)
      fresh = true
    }
    const keep = isSeed || (fresh && this.options.feedback !== false)
    if (keep && !crash && this.add(input) && !isSeed) this.options.onNewEntry?.(input)
    return crash
  }

  private crash(kind: CrashKind, error: unknown, input: Buffer): CrashRecord {
    const e = error instanceof Error ? error : new Error(String(error))
    const signature = crashSignature(kind, e.name, e.message, e.stack ?? '')
    const known = this.crashes.get(signature)
    if (known) {
      known.count++
      // Keep the smallest input that crashes this way.
      if (input.length < known.input.length) known.input = Buffer.from(input)
      return known
    }
    const record: CrashRecord = { target: this.target.name, kind, signature, message: `${e.name}: ${e.message}`, stack: e.stack ?? '', input: Buffer.from(input), count: 1 }
    this.crashes.set(signature, record)
    this.options.onCrash?.(record)
    return record
  }
}
