/**
 * @module dataset-walker
 * Walks the element structure of an encoded data set without decoding values: tags, VRs and
 * lengths of the top-level elements. Undefined-length sequences and encapsulated pixel data are
 * followed item by item to their delimiters; a defined-length value (a defined-length sequence
 * included) is checked to fit in the data set and skipped whole. It proves a data set is whole (no element runs past the end) and finds the few
 * header values the box needs, in any of the three encodings.
 */
import type { ByteSource } from './byte-source.js'

export type ElementEncoding = 'implicit-le' | 'explicit-le' | 'explicit-be'

export class MalformedDatasetError extends Error {
  override name = 'MalformedDatasetError'
}

export interface ElementHeader {
  /** (group << 16 | element), unsigned. */
  tag: number
  /** Two letters in explicit encodings, '' in implicit. */
  vr: string
  valueOffset: number
  /** Value length in bytes; -1 for undefined length. */
  length: number
}

/** What a visitor says after each top-level element. */
export type WalkDecision = 'continue' | 'stop'

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'])
const ITEM = 0xfffee000
const ITEM_END = 0xfffee00d
const SEQUENCE_END = 0xfffee0dd
const UNDEFINED = 0xffffffff
const MAX_DEPTH = 32

export function formatTag(tag: number): string {
  const hex = tag.toString(16).toUpperCase().padStart(8, '0')
  return `(${hex.slice(0, 4)},${hex.slice(4)})`
}

class Walker {
  constructor(
    private readonly source: ByteSource,
    private readonly end: number,
  ) {}

  // `what` is a string or a function making one: messages are only built when something is wrong.
  private need(offset: number, length: number, what: string | (() => string)): Buffer {
    if (offset + length > this.end) {
      throw new MalformedDatasetError(`data set ends inside ${typeof what === 'string' ? what : what()} at byte ${offset} (needs ${length} bytes, ${this.end - offset} left)`)
    }
    return this.source.read(offset, length)
  }

  private tagAt(offset: number, encoding: ElementEncoding, what: string | (() => string)): number {
    const b = this.need(offset, 4, what)
    return encoding === 'explicit-be'
      ? ((b.readUInt16BE(0) << 16) | b.readUInt16BE(2)) >>> 0
      : ((b.readUInt16LE(0) << 16) | b.readUInt16LE(2)) >>> 0
  }

  private u32(offset: number, encoding: ElementEncoding, what: string | (() => string)): number {
    const b = this.need(offset, 4, what)
    return encoding === 'explicit-be' ? b.readUInt32BE(0) : b.readUInt32LE(0)
  }

  // The header of the element at `offset`.
  header(offset: number, encoding: ElementEncoding): ElementHeader {
    const tag = this.tagAt(offset, encoding, 'an element tag')
    if (tag >>> 16 === 0xfffe || encoding === 'implicit-le') {
      const raw = this.u32(offset + 4, encoding, () => `the length of ${formatTag(tag)}`)
      return { tag, vr: '', valueOffset: offset + 8, length: raw === UNDEFINED ? -1 : raw }
    }
    const vrBytes = this.need(offset + 4, 2, () => `the VR of ${formatTag(tag)}`)
    const c0 = vrBytes[0]!
    const c1 = vrBytes[1]!
    if (c0 < 0x41 || c0 > 0x5a || c1 < 0x41 || c1 > 0x5a) {
      throw new MalformedDatasetError(`element ${formatTag(tag)} at byte ${offset} has no valid VR (bytes ${vrBytes.toString('hex')})`)
    }
    const vr = String.fromCharCode(c0, c1)
    if (LONG_VRS.has(vr)) {
      const raw = this.u32(offset + 8, encoding, () => `the length of ${formatTag(tag)}`)
      return { tag, vr, valueOffset: offset + 12, length: raw === UNDEFINED ? -1 : raw }
    }
    const b = this.need(offset + 6, 2, () => `the length of ${formatTag(tag)}`)
    const length = encoding === 'explicit-be' ? b.readUInt16BE(0) : b.readUInt16LE(0)
    return { tag, vr, valueOffset: offset + 8, length }
  }

  // Offset just past the element whose header is `h` (nested content checked).
  after(h: ElementHeader, encoding: ElementEncoding, depth: number): number {
    if (h.length >= 0) {
      if (h.valueOffset + h.length > this.end) {
        throw new MalformedDatasetError(
          `element ${formatTag(h.tag)} claims ${h.length} bytes at byte ${h.valueOffset} but the data set has ${this.end - h.valueOffset} left`,
        )
      }
      return h.valueOffset + h.length
    }
    if (h.vr !== '' && h.vr !== 'SQ' && h.vr !== 'UN' && h.vr !== 'OB' && h.vr !== 'OW') {
      throw new MalformedDatasetError(`element ${formatTag(h.tag)} (${h.vr}) has an undefined length`)
    }
    // An UN of undefined length holds implicit-VR items (PS3.5 6.2.2).
    return this.skipItems(h.valueOffset, h.vr === 'UN' ? 'implicit-le' : encoding, depth + 1, h.tag)
  }

  // Skip the items of an undefined-length sequence (or encapsulated pixel data) up to its delimiter.
  private skipItems(offset: number, encoding: ElementEncoding, depth: number, owner: number): number {
    if (depth > MAX_DEPTH) throw new MalformedDatasetError(`sequences nested deeper than ${MAX_DEPTH}`)
    for (;;) {
      const tag = this.tagAt(offset, encoding, () => `an item of ${formatTag(owner)}`)
      const raw = this.u32(offset + 4, encoding, () => `an item length of ${formatTag(owner)}`)
      if (tag === SEQUENCE_END) return offset + 8
      if (tag !== ITEM) {
        throw new MalformedDatasetError(`${formatTag(owner)} holds ${formatTag(tag)} at byte ${offset} where an item was expected`)
      }
      if (raw !== UNDEFINED) {
        if (offset + 8 + raw > this.end) throw new MalformedDatasetError(`an item of ${formatTag(owner)} runs past the end of the data set`)
        offset += 8 + raw
        continue
      }
      offset += 8
      for (;;) {
        const h = this.header(offset, encoding)
        if (h.tag === ITEM_END) {
          offset = h.valueOffset
          break
        }
        offset = this.after(h, encoding, depth)
      }
    }
  }
}

/**
 * Visit the top-level elements from `start` to the end of `source`. Returns where the walk ended;
 * throws MalformedDatasetError when the structure does not add up to exactly the bytes present.
 */
export function walkDataset(
  source: ByteSource,
  start: number,
  encoding: ElementEncoding,
  visit: (element: ElementHeader) => WalkDecision,
): { offset: number; stopped: boolean } {
  const end = source.length
  const walker = new Walker(source, end)
  let offset = start
  while (offset < end) {
    const h = walker.header(offset, encoding)
    if (h.tag === ITEM || h.tag === ITEM_END || h.tag === SEQUENCE_END) {
      throw new MalformedDatasetError(`a stray ${formatTag(h.tag)} at byte ${offset} at the top level`)
    }
    if (visit(h) === 'stop') return { offset, stopped: true }
    offset = walker.after(h, encoding, 0)
  }
  return { offset, stopped: false }
}

// The header of the element at `offset` (bounds-checked against the end of `source`).
export function elementHeaderAt(source: ByteSource, offset: number, encoding: ElementEncoding): ElementHeader {
  return new Walker(source, source.length).header(offset, encoding)
}
