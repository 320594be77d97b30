/**
 * @module mutator
 * Makes a new fuzz input from a corpus entry: a "havoc" stack of 1 to 8 mutations: bit flips,
 * byte sets, interesting 8/16/32-bit values in either byte order, arithmetic, deletions,
 * insertions, copies within the input, dictionary tokens, splices with another corpus entry,
 * and length-aware mutations that set a located length field (PDU header, association item,
 * PDV, element) to 0, 1, "exactly the rest", off by a few, 0xFFFF, 0x7FFFFFFF or 0xFFFFFFFF, or
 * repair the length fields after bytes were inserted or deleted so the parser gets further.
 */
import type { LengthField } from './length-fields.js'
import { readField, writeField } from './length-fields.js'
import type { Prng } from './prng.js'

export interface MutationContext {
  prng: Prng
  /** Other inputs to splice with. */
  corpus: readonly Buffer[]
  maxLength: number
  dictionary: readonly Buffer[]
  lengthFields?: (input: Buffer) => LengthField[]
}

const INTERESTING_8 = [0x00, 0x01, 0x02, 0x04, 0x06, 0x07, 0x10, 0x20, 0x40, 0x7f, 0x80, 0xfe, 0xff]
const INTERESTING_16 = [0x0000, 0x0001, 0x0002, 0x0004, 0x0006, 0x0044, 0x0100, 0x7fff, 0x8000, 0xfffe, 0xffff, 0xe000, 0xe00d, 0xe0dd, 0x0800, 0x0100]
const INTERESTING_32 = [
  0x00000000, 0x00000001, 0x00000002, 0x00000006, 0x00000044, 0x00000100, 0x00004000, 0x00010000, 0x00010001, 0x00020000, 0x00020001, 0x7fffffff,
  0x80000000, 0xfffffffe, 0xffffffff, 0xfffee000, 0xfffee00d, 0xfffee0dd, 0xe000fffe, 0x04000000,
]

type Mutation = (input: Buffer, ctx: MutationContext) => Buffer

const pos = (input: Buffer, ctx: MutationContext) => ctx.prng.int(Math.max(input.length, 1))

function flipBit(input: Buffer, ctx: MutationContext): Buffer {
  if (input.length === 0) return input
  const i = pos(input, ctx)
  input[i] = input[i]! ^ (1 << ctx.prng.int(8))
  return input
}

function setByte(input: Buffer, ctx: MutationContext): Buffer {
  if (input.length === 0) return input
  input[pos(input, ctx)] = ctx.prng.chance(0.5) ? ctx.prng.pick(INTERESTING_8) : ctx.prng.int(256)
  return input
}

function setWord(input: Buffer, ctx: MutationContext): Buffer {
  const wide = ctx.prng.chance(0.5)
  const size = wide ? 4 : 2
  if (input.length < size) return input
  const i = ctx.prng.int(input.length - size + 1)
  const le = ctx.prng.chance(0.5)
  const value = wide ? ctx.prng.pick(INTERESTING_32) : ctx.prng.pick(INTERESTING_16)
  if (wide) le ? input.writeUInt32LE(value >>> 0, i) : input.writeUInt32BE(value >>> 0, i)
  else le ? input.writeUInt16LE(value, i) : input.writeUInt16BE(value, i)
  return input
}

function arithmetic(input: Buffer, ctx: MutationContext): Buffer {
  const size = ctx.prng.pick([1, 2, 4] as const)
  if (input.length < size) return input
  const i = ctx.prng.int(input.length - size + 1)
  const delta = ctx.prng.between(1, 35) * (ctx.prng.chance(0.5) ? 1 : -1)
  const le = ctx.prng.chance(0.5)
  if (size === 1) input[i] = (input[i]! + delta) & 0xff
  else if (size === 2) {
    const v = ((le ? input.readUInt16LE(i) : input.readUInt16BE(i)) + delta) & 0xffff
    le ? input.writeUInt16LE(v, i) : input.writeUInt16BE(v, i)
  } else {
    const v = ((le ? input.readUInt32LE(i) : input.readUInt32BE(i)) + delta) >>> 0
    le ? input.writeUInt32LE(v, i) : input.writeUInt32BE(v, i)
  }
  return input
}

function deleteRange(input: Buffer, ctx: MutationContext): Buffer {
  if (input.length < 2) return input
  const start = pos(input, ctx)
  const length = Math.min(input.length - start, ctx.prng.chance(0.7) ? ctx.prng.between(1, 8) : ctx.prng.between(1, 128))
  return Buffer.concat([input.subarray(0, start), input.subarray(start + length)])
}

function insertBytes(input: Buffer, ctx: MutationContext): Buffer {
  const at = ctx.prng.int(input.length + 1)
  const length = ctx.prng.chance(0.7) ? ctx.prng.between(1, 8) : ctx.prng.between(1, 256)
  const fill = ctx.prng.chance(0.5) ? Buffer.alloc(length, ctx.prng.pick(INTERESTING_8)) : ctx.prng.bytes(length)
  return Buffer.concat([input.subarray(0, at), fill, input.subarray(at)])
}

function copyWithin(input: Buffer, ctx: MutationContext): Buffer {
  if (input.length < 2) return input
  const from = pos(input, ctx)
  const length = Math.min(input.length - from, ctx.prng.between(1, 64))
  const chunk = Buffer.from(input.subarray(from, from + length))
  const at = ctx.prng.int(input.length + 1)
  if (ctx.prng.chance(0.5)) return Buffer.concat([input.subarray(0, at), chunk, input.subarray(at)])
  chunk.copy(input, Math.min(at, input.length - 1))
  return input
}

function dictionaryToken(input: Buffer, ctx: MutationContext): Buffer {
  if (ctx.dictionary.length === 0) return setByte(input, ctx)
  const token = ctx.prng.pick(ctx.dictionary)
  const at = ctx.prng.int(input.length + 1)
  if (ctx.prng.chance(0.5) || at + token.length > input.length) return Buffer.concat([input.subarray(0, at), token, input.subarray(at)])
  token.copy(input, at)
  return input
}

function splice(input: Buffer, ctx: MutationContext): Buffer {
  if (ctx.corpus.length === 0) return input
  const other = ctx.prng.pick(ctx.corpus)
  if (other.length === 0) return input
  if (ctx.prng.chance(0.5)) {
    // Crossover: our head, their tail.
    const cut = ctx.prng.int(input.length + 1)
    const from = ctx.prng.int(other.length)
    return Buffer.concat([input.subarray(0, cut), other.subarray(from)])
  }
  // A chunk of theirs inserted into ours.
  const from = ctx.prng.int(other.length)
  const length = Math.min(other.length - from, ctx.prng.between(1, 512))
  const at = ctx.prng.int(input.length + 1)
  return Buffer.concat([input.subarray(0, at), other.subarray(from, from + length), input.subarray(at)])
}

function truncate(input: Buffer, ctx: MutationContext): Buffer {
  if (input.length < 2) return input
  return input.subarray(0, ctx.prng.int(input.length))
}

// Set one located length field to a value that probes its checks.
function lengthField(input: Buffer, ctx: MutationContext): Buffer {
  const fields = ctx.lengthFields?.(input) ?? []
  if (fields.length === 0) return setWord(input, ctx)
  const f = ctx.prng.pick(fields)
  const current = readField(input, f)
  const rest = Math.max(0, f.parentEnd - f.valueStart)
  const max = f.size === 2 ? 0xffff : 0xffffffff
  const choices = [0, 1, 2, 3, 4, 5, 6, rest, rest + 1, rest - 1, rest + ctx.prng.between(2, 16), rest - ctx.prng.between(2, 16), current + 1, current - 1, current * 2, current >>> 1, max, max - 1, 0x7fff, 0x8000, 0x10000, 0x7fffffff, 0x80000000]
  writeField(input, f, ctx.prng.pick(choices))
  return input
}

// Make every located length field of the input consistent with what follows, last to first:
// after insertions and deletions this turns garbage back into something that parses deeper.
function repairLengths(input: Buffer, ctx: MutationContext): Buffer {
  const fields = ctx.lengthFields?.(input) ?? []
  if (fields.length === 0) return input
  // Fix one field: it now reaches the end of its parent.
  const f = ctx.prng.pick(fields)
  writeField(input, f, Math.max(0, f.parentEnd - f.valueStart))
  return input
}

// Repeat a structure (the bytes a length field covers, with its header) right after itself.
function duplicateStructure(input: Buffer, ctx: MutationContext): Buffer {
  const fields = ctx.lengthFields?.(input) ?? []
  if (fields.length === 0) return copyWithin(input, ctx)
  const f = ctx.prng.pick(fields)
  const headerStart = f.start
  const end = Math.min(input.length, f.valueStart + readField(input, f))
  if (end <= headerStart || end - headerStart > 4096) return input
  return Buffer.concat([input.subarray(0, end), input.subarray(headerStart, end), input.subarray(end)])
}

const MUTATIONS: [Mutation, number][] = [
  [flipBit, 6],
  [setByte, 6],
  [setWord, 5],
  [arithmetic, 4],
  [deleteRange, 4],
  [insertBytes, 3],
  [copyWithin, 3],
  [dictionaryToken, 6],
  [splice, 3],
  [truncate, 1],
  [lengthField, 6],
  [repairLengths, 3],
  [duplicateStructure, 2],
]
const TOTAL_WEIGHT = MUTATIONS.reduce((n, [, w]) => n + w, 0)

function pickMutation(ctx: MutationContext): Mutation {
  let r = ctx.prng.int(TOTAL_WEIGHT)
  for (const [m, w] of MUTATIONS) {
    if (r < w) return m
    r -= w
  }
  return flipBit
}

/** A mutated copy of `input` (never longer than ctx.maxLength). */
export function mutate(input: Buffer, ctx: MutationContext): Buffer {
  // A copy: corpus entries are never changed in place.
  let out: Buffer = Buffer.from(input)
  // Mostly few mutations: each one more may undo what the entry got right.
  const r = ctx.prng.int(10)
  const stack = r < 4 ? 1 : r < 6 ? 2 : r < 8 ? 4 : 8
  for (let i = 0; i < stack; i++) {
    out = pickMutation(ctx)(out, ctx)
    if (out.length > ctx.maxLength) out = out.subarray(0, ctx.maxLength)
  }
  return out
}
