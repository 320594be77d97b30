/**
 * PduReader cutting a TCP byte stream into PDUs, however the stream is chunked.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PduFormatError } from '../../../../supervisor/dicom/pdu/pdu-codec.js'
import { PduReader, type RawPdu } from '../../../../supervisor/dicom/pdu/pdu-reader.js'

// A PDU of `type` with a body of `length` bytes counting up from `seed`.
function pdu(type: number, length: number, seed = 0): Buffer {
  const out = Buffer.alloc(6 + length)
  out[0] = type
  out.writeUInt32BE(length, 2)
  for (let i = 0; i < length; i++) out[6 + i] = (seed + i) & 0xff
  return out
}

const STREAM = Buffer.concat([pdu(0x02, 70, 1), pdu(0x04, 3000, 7), pdu(0x04, 0), pdu(0x05, 4), pdu(0x04, 17, 99)])
const EXPECTED: RawPdu[] = [
  { type: 0x02, body: pdu(0x02, 70, 1).subarray(6) },
  { type: 0x04, body: pdu(0x04, 3000, 7).subarray(6) },
  { type: 0x04, body: Buffer.alloc(0) },
  { type: 0x05, body: Buffer.from([0, 1, 2, 3]) },
  { type: 0x04, body: pdu(0x04, 17, 99).subarray(6) },
]

// Feed `bytes` in chunks of `size` and collect every PDU.
function feed(reader: PduReader, bytes: Buffer, size: number): RawPdu[] {
  const out: RawPdu[] = []
  for (let offset = 0; offset < bytes.length; offset += size) out.push(...reader.push(bytes.subarray(offset, offset + size)))
  return out
}
const plain = (pdus: RawPdu[]) => pdus.map((p) => ({ type: p.type, body: Buffer.from(p.body) }))

describe('PduReader', () => {
  it('yields every PDU when the whole stream arrives in one chunk', () => {
    assert.deepEqual(plain(new PduReader().push(STREAM)), EXPECTED)
  })

  it('yields the same PDUs when fed one byte at a time', () => {
    assert.deepEqual(plain(feed(new PduReader(), STREAM, 1)), EXPECTED)
  })

  it('yields the same PDUs for any chunk size', () => {
    for (const size of [2, 5, 6, 7, 64, 1000, 2999, 4096]) {
      assert.deepEqual(plain(feed(new PduReader(), STREAM, size)), EXPECTED, `chunks of ${size}`)
    }
  })

  it('returns a PDU only once its last byte arrived', () => {
    const reader = new PduReader()
    const one = pdu(0x04, 10)
    assert.deepEqual(reader.push(one.subarray(0, 5)), [])
    assert.deepEqual(reader.push(one.subarray(5, 15)), [])
    const [got] = reader.push(one.subarray(15))
    assert.equal(got!.type, 0x04)
    assert.deepEqual(Buffer.from(got!.body), one.subarray(6))
  })

  it('keeps the start of the next PDU that arrives with the end of one', () => {
    const reader = new PduReader()
    const bytes = Buffer.concat([pdu(0x04, 8, 1), pdu(0x06, 4)])
    assert.deepEqual(reader.push(bytes.subarray(0, 17)).map((p) => p.type), [0x04])
    assert.deepEqual(reader.push(bytes.subarray(17)).map((p) => p.type), [0x06])
  })

  it('tolerates empty chunks', () => {
    const reader = new PduReader()
    assert.deepEqual(reader.push(Buffer.alloc(0)), [])
    const one = pdu(0x05, 4)
    assert.deepEqual(reader.push(one.subarray(0, 3)), [])
    assert.deepEqual(reader.push(Buffer.alloc(0)), [])
    assert.equal(reader.push(one.subarray(3)).length, 1)
  })

  it('accepts a PDU exactly at its limit', () => {
    assert.equal(new PduReader(100).push(pdu(0x04, 100)).length, 1)
  })

  it('refuses a PDU over its limit as soon as the header arrives', () => {
    const reader = new PduReader(100)
    const header = pdu(0x04, 101).subarray(0, 6)
    assert.throws(() => reader.push(header), (error: unknown) => {
      assert.ok(error instanceof PduFormatError)
      assert.equal(error.message, 'PDU of 101 bytes exceeds the limit of 100')
      return true
    })
  })

  it('refuses a huge claimed length with the default limit', () => {
    const header = Buffer.from([0x04, 0, 0xff, 0xff, 0xff, 0xff])
    assert.throws(() => new PduReader().push(header), PduFormatError)
  })
})

describe('PduReader copying', () => {
  it('reads a large PDU arriving as one byte and then small chunks in linear time', () => {
    const size = 4 * 1024 * 1024
    const pdu = Buffer.alloc(6 + size)
    pdu.writeUInt8(0x04, 0)
    pdu.writeUInt32BE(size, 2)
    const reader = new PduReader()
    const started = process.hrtime.bigint()
    let got: ReturnType<PduReader['push']> = reader.push(pdu.subarray(0, 1))
    for (let offset = 1; offset < pdu.length; offset += 4096) got = got.concat(reader.push(pdu.subarray(offset, Math.min(offset + 4096, pdu.length))))
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    assert.equal(got.length, 1)
    assert.equal(got[0]!.body.length, size)
    // Quadratic copying took ~1.5 s here; linear takes a few ms. The bound is loose on purpose.
    assert.ok(ms < 500, `took ${ms.toFixed(0)} ms`)
  })
})
