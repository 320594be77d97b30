/**
 * The Part-10 envelope: the file meta group the box writes, and reading it back from files whose
 * data set follows in any encoding.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { IMPLEMENTATION_CLASS_UID } from '../../../supervisor/dicom/implementation.js'
import { buildFileMeta, NotPart10Error, readEnvelopeFromBuffer, type FileMeta } from '../../../supervisor/dicom/part10-file.js'

const CT = '1.2.840.10008.5.1.4.1.1.2' // 25 characters: odd
const INSTANCE = '1.2.826.0.1.3680043.2.1125.1.42' // 31 characters: odd
const IMPLICIT_LE = '1.2.840.10008.1.2' // 17 characters: odd
const EXPLICIT_LE = '1.2.840.10008.1.2.1'
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50' // 22 characters: even
const META: FileMeta = { sopClassUid: CT, sopInstanceUid: INSTANCE, transferSyntaxUid: IMPLICIT_LE, sourceAE: 'SCANNER1' }

// The explicit-LE meta elements after DICM: tag → raw value bytes.
function metaElements(file: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>()
  let offset = 132
  while (offset + 8 <= file.length && file.readUInt16LE(offset) === 0x0002) {
    const tag = file.readUInt16LE(offset + 2)
    const vr = file.toString('latin1', offset + 4, offset + 6)
    const long = vr === 'OB'
    const length = long ? file.readUInt32LE(offset + 8) : file.readUInt16LE(offset + 6)
    const start = offset + (long ? 12 : 8)
    out.set(tag, file.subarray(start, start + length))
    offset = start + length
  }
  return out
}

// A short implicit-LE element (tag, 4-byte length, value).
function implicit(tag: number, value: string): Buffer {
  const head = Buffer.alloc(8)
  head.writeUInt16LE(tag >>> 16, 0)
  head.writeUInt16LE(tag & 0xffff, 2)
  head.writeUInt32LE(value.length, 4)
  return Buffer.concat([head, Buffer.from(value, 'latin1')])
}

describe('buildFileMeta', () => {
  it('starts with a 128-byte zero preamble and DICM', () => {
    const meta = buildFileMeta(META)
    assert.ok(meta.subarray(0, 128).every((byte) => byte === 0))
    assert.equal(meta.toString('latin1', 128, 132), 'DICM')
  })

  it('pads odd-length UIDs with a NUL and the source AE with a space', () => {
    const elements = metaElements(buildFileMeta(META))
    assert.equal(elements.get(0x0002)!.toString('latin1'), `${CT}\0`)
    assert.equal(elements.get(0x0003)!.toString('latin1'), `${INSTANCE}\0`)
    assert.equal(elements.get(0x0010)!.toString('latin1'), `${IMPLICIT_LE}\0`)
    assert.equal(elements.get(0x0010)!.length % 2, 0)
    assert.equal(elements.get(0x0016)!.toString('latin1'), 'SCANNER1')
    assert.equal(metaElements(buildFileMeta({ ...META, sourceAE: 'CT1' })).get(0x0016)!.toString('latin1'), 'CT1 ')
  })

  it('does not pad even-length UIDs', () => {
    const elements = metaElements(buildFileMeta({ ...META, transferSyntaxUid: JPEG_BASELINE, sopInstanceUid: '1.23' }))
    assert.equal(elements.get(0x0010)!.toString('latin1'), JPEG_BASELINE)
    assert.equal(elements.get(0x0003)!.toString('latin1'), '1.23')
  })

  it('writes version 00 01, the implementation class UID and version name', () => {
    const elements = metaElements(buildFileMeta(META))
    assert.deepEqual([...elements.get(0x0001)!], [0x00, 0x01])
    assert.equal(elements.get(0x0012)!.toString('latin1').replace(/\0$/, ''), IMPLEMENTATION_CLASS_UID)
    assert.match(elements.get(0x0013)!.toString('latin1'), /^MAGICKBOX_/)
    assert.ok(elements.get(0x0013)!.length <= 16)
  })

  it('writes a group length that counts every meta element after it', () => {
    const meta = buildFileMeta(META)
    assert.equal(meta.readUInt16LE(132), 0x0002)
    assert.equal(meta.readUInt16LE(134), 0x0000)
    assert.equal(meta.toString('latin1', 136, 138), 'UL')
    assert.equal(meta.readUInt16LE(138), 4)
    assert.equal(meta.readUInt32LE(140), meta.length - 144)
  })

  it('leaves out the source AE when there is none and cuts a long one to 16 characters', () => {
    assert.equal(metaElements(buildFileMeta({ ...META, sourceAE: '  ' })).has(0x0016), false)
    assert.equal(metaElements(buildFileMeta({ ...META, sourceAE: 'A'.repeat(20) })).get(0x0016)!.toString('latin1'), 'A'.repeat(16))
  })
})

describe('readEnvelopeFromBuffer', () => {
  it('round-trips class, instance, transfer syntax and source AE', () => {
    const file = Buffer.concat([buildFileMeta(META), implicit(0x00100010, 'Doe^Jane')])
    const envelope = readEnvelopeFromBuffer(file)
    assert.equal(envelope.sopClassUid, CT)
    assert.equal(envelope.sopInstanceUid, INSTANCE)
    assert.equal(envelope.transferSyntaxUid, IMPLICIT_LE)
    assert.equal(envelope.sourceAE, 'SCANNER1')
    assert.equal(envelope.fileSize, file.length)
  })

  it('trims the padding of a short source AE', () => {
    assert.equal(readEnvelopeFromBuffer(buildFileMeta({ ...META, sourceAE: 'CT1' })).sourceAE, 'CT1')
  })

  it('points the data set offset right after the meta group of an implicit VR file', () => {
    const meta = buildFileMeta(META)
    const dataset = Buffer.concat([implicit(0x00080005, 'ISO_IR 100'), implicit(0x00080016, `${CT}\0`)])
    const envelope = readEnvelopeFromBuffer(Buffer.concat([meta, dataset]))
    assert.equal(envelope.datasetOffset, meta.length)
    assert.equal(envelope.datasetOffset, 144 + meta.readUInt32LE(140))
  })

  it('points the data set offset right after the meta group of an explicit VR file', () => {
    const meta = buildFileMeta({ ...META, transferSyntaxUid: EXPLICIT_LE })
    const element = Buffer.from([0x08, 0x00, 0x05, 0x00, 0x43, 0x53, 0x0a, 0x00, ...Buffer.from('ISO_IR 100')])
    assert.equal(readEnvelopeFromBuffer(Buffer.concat([meta, element])).datasetOffset, meta.length)
  })

  it('accepts a file with an empty data set', () => {
    const meta = buildFileMeta(META)
    assert.equal(readEnvelopeFromBuffer(meta).datasetOffset, meta.length)
  })

  it('refuses a buffer without DICM at byte 128 with NotPart10Error', () => {
    const meta = buildFileMeta(META)
    const noDicm = Buffer.from(meta)
    noDicm.write('DICN', 128, 'latin1')
    assert.throws(() => readEnvelopeFromBuffer(noDicm), NotPart10Error)
    assert.throws(() => readEnvelopeFromBuffer(meta.subarray(0, 131)), /no DICM prefix/)
    assert.throws(() => readEnvelopeFromBuffer(meta.subarray(4)), NotPart10Error)
  })

  it('refuses a meta group without a transfer syntax with NotPart10Error', () => {
    assert.throws(() => readEnvelopeFromBuffer(buildFileMeta({ ...META, transferSyntaxUid: '' })), /has no Transfer Syntax UID/)
    const preambleOnly = Buffer.alloc(132)
    preambleOnly.write('DICM', 128, 'latin1')
    assert.throws(() => readEnvelopeFromBuffer(Buffer.concat([preambleOnly, implicit(0x00100010, 'Doe^')])), NotPart10Error)
  })

  it('refuses a meta element that runs past the end with NotPart10Error', () => {
    const meta = buildFileMeta(META)
    assert.throws(() => readEnvelopeFromBuffer(meta.subarray(0, meta.length - 3)), (error: unknown) => {
      assert.ok(error instanceof NotPart10Error)
      assert.match(error.message, /file meta information is malformed/)
      return true
    })
  })

  it('refuses a meta element without a valid VR with NotPart10Error', () => {
    const meta = Buffer.from(buildFileMeta(META))
    meta.write('\x01\x02', 148, 'latin1') // the VR of (0002,0001)
    assert.throws(() => readEnvelopeFromBuffer(meta), /file meta information is malformed: .*no valid VR/)
  })
})
