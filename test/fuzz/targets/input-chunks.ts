/**
 * @module input-chunks
 * How a stream target cuts one input into TCP-like chunks: whole, at a few cut points, or in
 * tiny pieces, chosen from a hash of the input itself so a replayed input is cut the same way.
 */
import { Prng } from '../prng.js'

// FNV-1a over the bytes (32-bit).
export function fnv1a(input: Buffer): number {
  let h = 0x811c9dc5
  for (let i = 0; i < input.length; i++) h = Math.imul(h ^ input[i]!, 0x01000193)
  return h >>> 0
}

export function inputChunks(input: Buffer): Buffer[] {
  const prng = new Prng(fnv1a(input))
  const mode = prng.int(4)
  if (mode <= 1 || input.length < 2) return [input]
  const out: Buffer[] = []
  if (mode === 2) {
    const cuts = Array.from({ length: prng.between(1, 4) }, () => prng.int(input.length)).sort((a, b) => a - b)
    let from = 0
    for (const cut of cuts) {
      out.push(input.subarray(from, cut))
      from = cut
    }
    out.push(input.subarray(from))
    return out.filter((c) => c.length > 0)
  }
  for (let at = 0; at < input.length; ) {
    const n = prng.between(1, 7)
    out.push(input.subarray(at, at + n))
    at += n
  }
  return out
}
