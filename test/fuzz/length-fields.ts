/**
 * @module length-fields
 * Where the length fields of DICOM wire structures sit in a (possibly broken) input, for the
 * length-aware mutations of the fuzzer: the 4-byte length of each PDU's 6-byte header, the 2-byte
 * lengths of association items and sub-items, the 4-byte PDV lengths of a P-DATA-TF, the
 * element lengths of a command set and of a data set. Each locator reads as far as the bytes make
 * sense and stops there; it never throws.
 */

export interface LengthField {
  /** Where the structure (its header included) starts. */
  start: number
  /** Byte offset of the field. */
  offset: number
  size: 2 | 4
  littleEndian: boolean
  /** Where the value the field measures starts. */
  valueStart: number
  /** Where the enclosing structure ends (a length reaching it is "fills the rest"). */
  parentEnd: number
}

export function readField(input: Buffer, f: LengthField): number {
  if (f.offset + f.size > input.length) return 0
  if (f.size === 2) return f.littleEndian ? input.readUInt16LE(f.offset) : input.readUInt16BE(f.offset)
  return f.littleEndian ? input.readUInt32LE(f.offset) : input.readUInt32BE(f.offset)
}

export function writeField(input: Buffer, f: LengthField, value: number): void {
  if (f.offset + f.size > input.length) return
  const v = f.size === 2 ? value & 0xffff : value >>> 0
  if (f.size === 2) f.littleEndian ? input.writeUInt16LE(v, f.offset) : input.writeUInt16BE(v, f.offset)
  else f.littleEndian ? input.writeUInt32LE(v, f.offset) : input.writeUInt32BE(v, f.offset)
}

const MAX_FIELDS = 512

// Association items from `from` to `end` (2-byte big-endian lengths), with the sub-items of
// presentation context (0x20, 0x21) and user information (0x50) items.
export function associationItemFields(input: Buffer, from: number, end: number, out: LengthField[] = [], depth = 0): LengthField[] {
  let at = from
  end = Math.min(end, input.length)
  while (at + 4 <= end && out.length < MAX_FIELDS) {
    const type = input[at]!
    const length = input.readUInt16BE(at + 2)
    out.push({ start: at, offset: at + 2, size: 2, littleEndian: false, valueStart: at + 4, parentEnd: end })
    const valueEnd = Math.min(at + 4 + length, end)
    if (depth === 0 && (type === 0x20 || type === 0x21)) associationItemFields(input, at + 8, valueEnd, out, 1)
    else if (depth === 0 && type === 0x50) associationItemFields(input, at + 4, valueEnd, out, 1)
    at += 4 + length
  }
  return out
}

// Elements of a command set (implicit VR little endian: tag, 4-byte length).
export function commandFields(input: Buffer, from: number, end: number, out: LengthField[] = []): LengthField[] {
  let at = from
  end = Math.min(end, input.length)
  while (at + 8 <= end && out.length < MAX_FIELDS) {
    const length = input.readUInt32LE(at + 4)
    out.push({ start: at, offset: at + 4, size: 4, littleEndian: true, valueStart: at + 8, parentEnd: end })
    at += 8 + length
  }
  return out
}

// PDVs of a P-DATA-TF body (4-byte big-endian lengths); a command PDV's elements too.
export function pdvFields(input: Buffer, from: number, end: number, out: LengthField[] = []): LengthField[] {
  let at = from
  end = Math.min(end, input.length)
  while (at + 6 <= end && out.length < MAX_FIELDS) {
    const length = input.readUInt32BE(at)
    out.push({ start: at, offset: at, size: 4, littleEndian: false, valueStart: at + 4, parentEnd: end })
    if (input[at + 5]! & 0x01) commandFields(input, at + 6, Math.min(at + 4 + length, end), out)
    at += 4 + length
  }
  return out
}

// A stream of PDUs: each header's length, and inside association and P-DATA PDUs their items.
export function pduStreamFields(input: Buffer, from = 0): LengthField[] {
  const out: LengthField[] = []
  let at = from
  while (at + 6 <= input.length && out.length < MAX_FIELDS) {
    const type = input[at]!
    const length = input.readUInt32BE(at + 2)
    out.push({ start: at, offset: at + 2, size: 4, littleEndian: false, valueStart: at + 6, parentEnd: input.length })
    const end = Math.min(at + 6 + length, input.length)
    if (type === 0x01 || type === 0x02) associationItemFields(input, at + 6 + 68, end, out)
    else if (type === 0x04) pdvFields(input, at + 6, end, out)
    at += 6 + length
  }
  return out
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'])

// Top-level elements of a data set, explicit or implicit VR (guessed per element), either endianness.
export function datasetFields(input: Buffer, from: number, littleEndian = true): LengthField[] {
  const out: LengthField[] = []
  let at = from
  const u16 = (o: number) => (littleEndian ? input.readUInt16LE(o) : input.readUInt16BE(o))
  const u32 = (o: number) => (littleEndian ? input.readUInt32LE(o) : input.readUInt32BE(o))
  while (at + 8 <= input.length && out.length < MAX_FIELDS) {
    const group = u16(at)
    const vr = input.toString('latin1', at + 4, at + 6)
    let length: number
    let valueStart: number
    if (group === 0xfffe || !/^[A-Z]{2}$/.test(vr)) {
      out.push({ start: at, offset: at + 4, size: 4, littleEndian, valueStart: at + 8, parentEnd: input.length })
      length = u32(at + 4)
      valueStart = at + 8
      // Items are walked into: their elements follow.
      if (group === 0xfffe) {
        at = valueStart
        continue
      }
    } else if (LONG_VRS.has(vr)) {
      if (at + 12 > input.length) break
      out.push({ start: at, offset: at + 8, size: 4, littleEndian, valueStart: at + 12, parentEnd: input.length })
      length = u32(at + 8)
      valueStart = at + 12
      // Undefined-length sequences are walked into.
      if (length === 0xffffffff) {
        at = valueStart
        continue
      }
    } else {
      out.push({ start: at, offset: at + 6, size: 2, littleEndian, valueStart: at + 8, parentEnd: input.length })
      length = u16(at + 6)
      valueStart = at + 8
    }
    at = valueStart + length
  }
  return out
}

// A Part-10 file: the meta group (explicit little endian) and the data set after it.
export function part10Fields(input: Buffer): LengthField[] {
  if (input.length < 132 || input.toString('latin1', 128, 132) !== 'DICM') return datasetFields(input, 0, true)
  let metaEnd = 132
  while (metaEnd + 8 <= input.length && input.readUInt16LE(metaEnd) === 0x0002) {
    const long = LONG_VRS.has(input.toString('latin1', metaEnd + 4, metaEnd + 6))
    if (long && metaEnd + 12 > input.length) break
    metaEnd += long ? 12 + input.readUInt32LE(metaEnd + 8) : 8 + input.readUInt16LE(metaEnd + 6)
  }
  if (!input.subarray(132, Math.min(metaEnd, input.length)).includes('1.2.840.10008.1.2.2\0')) return datasetFields(input, 132, true)
  // Explicit VR big endian: the meta group little endian, the data set big endian.
  return [...datasetFields(input, 132, true).filter((f) => f.offset < metaEnd), ...datasetFields(input, metaEnd, false)]
}
