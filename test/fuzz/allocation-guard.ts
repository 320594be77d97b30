/**
 * @module allocation-guard
 * Notices a huge allocation made while a fuzz input runs: wraps Buffer's allocators and zlib's
 * synchronous inflaters (in the fuzzing worker only) and remembers the largest size asked for,
 * with the stack that asked. It never refuses or throws (the code under test might catch it);
 * the fuzzer looks after the execution and reports an allocation above the limit as a crash.
 * Heap growth that is not a Buffer is caught by the worker's heap limit instead.
 */
import { syncBuiltinESMExports } from 'node:module'
import zlib from 'node:zlib'

export interface AllocationRecord {
  bytes: number
  stack: string
}

export class AllocationGuard {
  private largest: AllocationRecord | undefined
  private installed = false

  /** Allocations above `limitBytes` are recorded with their stack. */
  constructor(readonly limitBytes: number) {}

  install(): void {
    if (this.installed) return
    this.installed = true
    const note = (bytes: number) => {
      if (typeof bytes === 'number' && bytes > this.limitBytes && bytes > (this.largest?.bytes ?? 0)) {
        this.largest = { bytes, stack: new Error('allocation').stack ?? '' }
      }
    }
    const wrapSize = <F extends (size: number, ...rest: never[]) => Buffer>(original: F): F =>
      function (this: unknown, size: number, ...rest: never[]) {
        note(size)
        return original.call(this, size, ...rest)
      } as F
    Buffer.alloc = wrapSize(Buffer.alloc)
    Buffer.allocUnsafe = wrapSize(Buffer.allocUnsafe)
    Buffer.allocUnsafeSlow = wrapSize(Buffer.allocUnsafeSlow)
    const concat = Buffer.concat
    Buffer.concat = function (this: unknown, list: readonly Uint8Array[], totalLength?: number) {
      note(totalLength ?? list.reduce((n, b) => n + b.length, 0))
      return concat.call(this, list, totalLength)
    } as typeof Buffer.concat
    const z = zlib as unknown as Record<string, (...args: unknown[]) => Buffer>
    for (const name of ['inflateRawSync', 'inflateSync', 'gunzipSync', 'unzipSync', 'brotliDecompressSync']) {
      const original = z[name]!
      z[name] = function (this: unknown, ...args: unknown[]) {
        const out = original.apply(this, args)
        note(out.length)
        return out
      }
    }
    // ESM named imports of node:zlib see the wrapped functions too.
    syncBuiltinESMExports()
  }

  /** Start watching one execution. */
  begin(): void {
    this.largest = undefined
  }

  /** The largest allocation above the limit since begin(), if any. */
  end(): AllocationRecord | undefined {
    const out = this.largest
    this.largest = undefined
    return out
  }
}
