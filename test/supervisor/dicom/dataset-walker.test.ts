/**
 * The dataset walker over data sets built byte by byte in all three encodings: which top-level
 * elements it visits, how it skips sequences, UN and encapsulated pixel data, and that anything
 * that does not add up throws MalformedDatasetError.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BufferSource } from '../../../supervisor/dicom/byte-source.js'
import { elementHeaderAt, formatTag, MalformedDatasetError, walkDataset, type ElementEncoding, type ElementHeader } from '../../../supervisor/dicom/dataset-walker.js'

const LONG_VRS = new Set(['OB', 'OW', 'SQ', 'UN', 'UT', 'UC', 'UR'])
const UNDEFINED = 0xffffffff

// One element in `enc`; `undefinedLength` writes 0xFFFFFFFF as its length.
function el(enc: ElementEncoding, tag: number, vr: string, value: Buffer, undefinedLength = false): Buffer {
  const be = enc === 'explicit-be'
  const length = undefinedLength ? UNDEFINED : value.length
  const long = enc === 'implicit-le' || LONG_VRS.has(vr) || tag >>> 16 === 0xfffe
  const head = Buffer.alloc(enc !== 'implicit-le' && LONG_VRS.has(vr) ? 12 : 8)
  if (be) head.writeUInt16BE(tag >>> 16, 0), head.writeUInt16BE(tag & 0xffff, 2)
  else head.writeUInt16LE(tag >>> 16, 0), head.writeUInt16LE(tag & 0xffff, 2)
  if (enc !== 'implicit-le' && tag >>> 16 !== 0xfffe) head.write(vr, 4, 'latin1')
  const at = head.length - 4
  if (long) be ? head.writeUInt32BE(length, at) : head.writeUInt32LE(length, at)
  else be ? head.writeUInt16BE(length, 6) : head.writeUInt16LE(length, 6)
  return Buffer.concat([head, value])
}
const text = (s: string) => Buffer.from(s.length % 2 ? `${s} ` : s, 'latin1')
const item = (enc: ElementEncoding, content: Buffer, undefinedLength = false) =>
  undefinedLength ? Buffer.concat([el(enc, 0xfffee000, '', content, true), el(enc, 0xfffee00d, '', Buffer.alloc(0))]) : el(enc, 0xfffee000, '', content)
const seqEnd = (enc: ElementEncoding) => el(enc, 0xfffee0dd, '', Buffer.alloc(0))
function sq(enc: ElementEncoding, tag: number, items: Buffer[], undefinedLength: boolean): Buffer {
  return undefinedLength ? Buffer.concat([el(enc, tag, 'SQ', Buffer.concat(items), true), seqEnd(enc)]) : el(enc, tag, 'SQ', Buffer.concat(items))
}

// Walk the whole buffer and return the visited headers.
function walk(bytes: Buffer, enc: ElementEncoding, start = 0): ElementHeader[] {
  const seen: ElementHeader[] = []
  const result = walkDataset(new BufferSource(bytes), start, enc, (h) => (seen.push(h), 'continue'))
  assert.deepEqual(result, { offset: bytes.length, stopped: false })
  return seen
}
const tags = (headers: ElementHeader[]) => headers.map((h) => formatTag(h.tag))

// A data set with every structure the walker skips, plus the tag list it should visit.
function everything(enc: ElementEncoding): Buffer {
  const inner = (undef: boolean) =>
    Buffer.concat([el(enc, 0x00081150, 'UI', text('1.2.3')), sq(enc, 0x00081155, [item(enc, el(enc, 0x00100010, 'PN', text('Nested')), undef)], undef)])
  const unContent = Buffer.concat([item('implicit-le', el('implicit-le', 0x00100020, '', text('ID')), true), seqEnd('implicit-le')])
  const pixel = Buffer.concat([item(enc, Buffer.alloc(0)), item(enc, Buffer.from([1, 2, 3, 4])), item(enc, Buffer.alloc(6, 9)), seqEnd(enc)])
  return Buffer.concat([
    el(enc, 0x00080005, 'CS', text('ISO_IR 100')),
    sq(enc, 0x00081110, [item(enc, inner(false)), item(enc, inner(false))], false),
    sq(enc, 0x00081111, [item(enc, inner(true), true), item(enc, inner(false))], true),
    el(enc, 0x00091010, 'UN', unContent, true),
    el(enc, 0x00100010, 'PN', text('Doe^Jane')),
    el(enc, 0x7fe00010, 'OB', pixel, true),
    el(enc, 0xfffcfffc, 'OB', Buffer.alloc(4)),
  ])
}
const EVERYTHING_TAGS = ['(0008,0005)', '(0008,1110)', '(0008,1111)', '(0009,1010)', '(0010,0010)', '(7FE0,0010)', '(FFFC,FFFC)']
const ENCODINGS: ElementEncoding[] = ['explicit-le', 'explicit-be', 'implicit-le']

// Every byte offset at which a top-level element starts (or the data set ends).
function boundaries(bytes: Buffer, enc: ElementEncoding): Set<number> {
  const out = new Set([bytes.length])
  walkDataset(new BufferSource(bytes), 0, enc, (h) => (out.add(h.valueOffset - (h.vr && LONG_VRS.has(h.vr) ? 12 : 8)), 'continue'))
  return out
}

describe('walkDataset', () => {
  for (const enc of ENCODINGS) {
    it(`visits exactly the top-level elements of an ${enc} data set, skipping nested content`, () => {
      assert.deepEqual(tags(walk(everything(enc), enc)), EVERYTHING_TAGS)
    })

    it(`throws MalformedDatasetError for an ${enc} data set cut at any byte inside an element`, () => {
      const bytes = everything(enc)
      const whole = boundaries(bytes, enc)
      for (let cut = 1; cut < bytes.length; cut++) {
        const part = bytes.subarray(0, cut)
        if (whole.has(cut)) walk(part, enc)
        else assert.throws(() => walk(part, enc), MalformedDatasetError, `cut at ${cut} of ${bytes.length}`)
      }
    })
  }

  it('reports tag, VR, value offset and length of short and long explicit VRs', () => {
    const bytes = Buffer.concat([el('explicit-le', 0x00100010, 'PN', text('Doe')), el('explicit-le', 0x00290010, 'UT', text('long'))])
    assert.deepEqual(walk(bytes, 'explicit-le'), [
      { tag: 0x00100010, vr: 'PN', valueOffset: 8, length: 4 },
      { tag: 0x00290010, vr: 'UT', valueOffset: 24, length: 4 },
    ])
  })

  it('reads big endian tags and lengths in explicit-be', () => {
    assert.deepEqual(walk(el('explicit-be', 0x00200013, 'IS', text('12')), 'explicit-be'), [{ tag: 0x00200013, vr: 'IS', valueOffset: 8, length: 2 }])
  })

  it('reports an undefined length as -1 and no VR in implicit-le', () => {
    const [h] = walk(sq('implicit-le', 0x00081110, [item('implicit-le', Buffer.alloc(0), true)], true), 'implicit-le')
    assert.deepEqual(h, { tag: 0x00081110, vr: '', valueOffset: 8, length: -1 })
  })

  it('starts at the given offset and stops where the visitor says', () => {
    const bytes = Buffer.concat([Buffer.alloc(10, 0xee), everything('explicit-le')])
    assert.deepEqual(tags(walk(bytes, 'explicit-le', 10)), EVERYTHING_TAGS)
    const result = walkDataset(new BufferSource(bytes), 10, 'explicit-le', (h) => (h.tag === 0x00100010 ? 'stop' : 'continue'))
    assert.equal(result.stopped, true)
    assert.deepEqual(elementHeaderAt(new BufferSource(bytes), result.offset, 'explicit-le').tag, 0x00100010)
  })

  it('accepts an empty data set', () => {
    assert.deepEqual(walk(Buffer.alloc(0), 'explicit-le'), [])
  })

  it('throws when an element claims more bytes than are left', () => {
    const bytes = el('explicit-le', 0x00100010, 'PN', text('Doe^Jane')).subarray(0, 12)
    assert.throws(() => walk(bytes, 'explicit-le'), /claims 8 bytes at byte 8 but the data set has 4 left/)
  })

  it('throws when an undefined-length sequence misses its delimiter', () => {
    const enc = 'explicit-le'
    const noSeqEnd = Buffer.concat([el(enc, 0x00081110, 'SQ', item(enc, text('ab')), true), el(enc, 0x00100010, 'PN', text('X'))])
    assert.throws(() => walk(noSeqEnd, enc), /\(0008,1110\) holds \(0010,0010\) at byte \d+ where an item was expected/)
    const noItemEnd = Buffer.concat([el(enc, 0x00081110, 'SQ', el(enc, 0xfffee000, '', el(enc, 0x00100010, 'PN', text('X')), true), true), seqEnd(enc)])
    assert.throws(() => walk(noItemEnd, enc), MalformedDatasetError)
  })

  it('throws for an element that is not a valid VR', () => {
    const bad = el('explicit-le', 0x00100010, 'PN', text('Doe'))
    bad.write('pn', 4, 'latin1')
    assert.throws(() => walk(bad, 'explicit-le'), /element \(0010,0010\) at byte 0 has no valid VR \(bytes 706e\)/)
    const implicitReadAsExplicit = el('implicit-le', 0x00080005, '', text('ISO_IR 100'))
    assert.throws(() => walk(implicitReadAsExplicit, 'explicit-le'), MalformedDatasetError)
  })

  it('throws for an undefined length on a VR that cannot have one', () => {
    assert.throws(() => walk(Buffer.concat([el('explicit-le', 0x00290010, 'UT', Buffer.alloc(0), true), seqEnd('explicit-le')]), 'explicit-le'), /\(0029,0010\) \(UT\) has an undefined length/)
  })

  it('throws for an item or delimiter at the top level', () => {
    assert.throws(() => walk(item('explicit-le', Buffer.alloc(0)), 'explicit-le'), /a stray \(FFFE,E000\) at byte 0 at the top level/)
    assert.throws(() => walk(seqEnd('implicit-le'), 'implicit-le'), /stray \(FFFE,E0DD\)/)
  })

  it('throws for a defined-length item that runs past the end', () => {
    const enc = 'explicit-le'
    const head = el(enc, 0x00081110, 'SQ', Buffer.alloc(0), true)
    const longItem = el(enc, 0xfffee000, '', Buffer.alloc(0))
    longItem.writeUInt32LE(100, 4)
    assert.throws(() => walk(Buffer.concat([head, longItem, seqEnd(enc)]), enc), /an item of \(0008,1110\) runs past the end/)
  })

  // Sequences nested `depth` deep, all of undefined length.
  function nested(depth: number, enc: ElementEncoding): Buffer {
    let content = el(enc, 0x00100010, 'PN', text('Deep'))
    for (let i = 0; i < depth; i++) content = sq(enc, 0x00081110, [item(enc, content, true)], true)
    return content
  }

  it('walks sequences nested 32 deep', () => {
    assert.deepEqual(tags(walk(nested(32, 'explicit-le'), 'explicit-le')), ['(0008,1110)'])
    assert.deepEqual(tags(walk(nested(32, 'implicit-le'), 'implicit-le')), ['(0008,1110)'])
  })

  it('throws for sequences nested deeper than 32', () => {
    assert.throws(() => walk(nested(33, 'explicit-le'), 'explicit-le'), /sequences nested deeper than 32/)
    assert.throws(() => walk(nested(200, 'implicit-le'), 'implicit-le'), /sequences nested deeper than 32/)
  })
})

describe('elementHeaderAt', () => {
  it('reads one header and checks it against the end of the source', () => {
    const bytes = el('explicit-le', 0x7fe00010, 'OW', Buffer.alloc(4))
    assert.deepEqual(elementHeaderAt(new BufferSource(bytes), 0, 'explicit-le'), { tag: 0x7fe00010, vr: 'OW', valueOffset: 12, length: 4 })
    assert.throws(() => elementHeaderAt(new BufferSource(bytes.subarray(0, 10)), 0, 'explicit-le'), /data set ends inside the length of \(7FE0,0010\)/)
  })
})

describe('formatTag', () => {
  it('writes a tag as (GGGG,EEEE) in upper-case hex', () => {
    assert.equal(formatTag(0x0020000d), '(0020,000D)')
    assert.equal(formatTag(0xfffee0dd), '(FFFE,E0DD)')
  })
})
