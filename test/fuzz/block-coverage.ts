/**
 * @module block-coverage
 * Which code blocks an input reached, from V8's precise block coverage (node:inspector,
 * `Profiler.startPreciseCoverage({ callCount: true, detailed: true })`): the feedback of the
 * greybox fuzzer. Every `takePreciseCoverage` returns the blocks run since the previous one and
 * resets the counters, so one call per execution gives that execution's coverage.
 *
 * V8 reports, per called function, its range and the nested block ranges whose count differs
 * from the enclosing one (a block run as often as its parent is folded into it). So a block is
 * known from the first execution that reports it, and in a later execution its count is the
 * count of the innermost reported range that contains it. A feature is (block, count bucket):
 * reaching a new block, or a known block a new number of times (1, 2, 3, 4-7, 8-15, 16-127,
 * 128+), is new coverage.
 */
import { Session } from 'node:inspector'

interface Range {
  startOffset: number
  endOffset: number
  count: number
}

interface FunctionCoverage {
  functionName: string
  ranges: Range[]
  isBlockCoverage: boolean
}

interface ScriptCoverage {
  scriptId: string
  url: string
  functions: FunctionCoverage[]
}

interface KnownBlock {
  start: number
  end: number
  id: number
}

// The count bucket of a block that ran `count` times (0 = did not run).
function bucket(count: number): number {
  if (count <= 0) return 0
  if (count <= 3) return count
  if (count <= 7) return 4
  if (count <= 15) return 5
  if (count <= 127) return 6
  return 7
}

export class BlockCoverage {
  private readonly session = new Session()
  private started = false
  /** Block ids by "url|start|end". */
  private readonly ids = new Map<string, number>()
  /** Known blocks of each function ("url|functionStart"). */
  private readonly blocks = new Map<string, KnownBlock[]>()
  /** Blocks that ran at least once in some execution. */
  readonly covered = new Set<number>()
  /** URLs of the included scripts that ran. */
  readonly scripts = new Set<string>()

  /** `include(url)` says which scripts count (e.g. the box's own sources). */
  constructor(private readonly include: (url: string) => boolean) {}

  start(): void {
    if (this.started) return
    this.session.connect()
    this.post('Profiler.enable')
    this.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true })
    this.started = true
    this.take()
  }

  stop(): void {
    if (!this.started) return
    this.post('Profiler.stopPreciseCoverage')
    this.post('Profiler.disable')
    this.session.disconnect()
    this.started = false
  }

  /** Blocks known so far (run or seen not run) in the included scripts. */
  get knownBlocks(): number {
    return this.ids.size
  }

  /** Forget what ran since the last sample (e.g. timers of an earlier execution). */
  reset(): void {
    this.take()
  }

  /** The features of everything that ran since the last call. */
  sample(): number[] {
    const features: number[] = []
    for (const script of this.take()) {
      if (!this.include(script.url)) continue
      this.scripts.add(script.url)
      for (const fn of script.functions) {
        const ranges = fn.ranges
        if (ranges.length === 0 || ranges[0]!.count === 0) continue
        const key = `${script.url}|${ranges[0]!.startOffset}`
        let known = this.blocks.get(key)
        if (!known) this.blocks.set(key, (known = []))
        for (const r of ranges) this.learn(known, script.url, r)
        for (const block of known) {
          // The innermost reported range holding the block gives its count (ranges come sorted by start, outer first).
          let count = 0
          for (const r of ranges) {
            if (r.startOffset > block.start) break
            if (r.endOffset >= block.end) count = r.count
          }
          const b = bucket(count)
          if (b === 0) continue
          this.covered.add(block.id)
          features.push(block.id * 8 + b)
        }
      }
    }
    return features
  }

  private learn(known: KnownBlock[], url: string, r: Range): void {
    const key = `${url}|${r.startOffset}|${r.endOffset}`
    if (this.ids.has(key)) return
    const id = this.ids.size
    this.ids.set(key, id)
    known.push({ start: r.startOffset, end: r.endOffset, id })
  }

  private take(): ScriptCoverage[] {
    return (this.post('Profiler.takePreciseCoverage') as { result: ScriptCoverage[] }).result
  }

  // Inspector calls on the session of this very thread complete before post() returns.
  private post(method: string, params?: object): unknown {
    let result: unknown
    let failure: Error | null = null
    let answered = false
    this.session.post(method, params ?? {}, (error: Error | null, value: unknown) => {
      failure = error
      result = value
      answered = true
    })
    if (!answered) throw new Error(`the inspector did not answer ${method} synchronously`)
    if (failure) throw failure
    return result
  }
}
