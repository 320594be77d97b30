/**
 * The header values the box reads from a data set: which ones, how they are cleaned, which
 * character set decodes them, how far the walk goes, and deflated data sets.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { deflateRawSync } from 'node:zlib'
import { BufferSource } from '../../../supervisor/dicom/byte-source.js'
import { MAX_INFLATED_BYTES, readDatasetHeader, readEncodedDatasetHeader } from '../../../supervisor/dicom/dataset-header.js'
import { MalformedDatasetError, type ElementEncoding } from '../../../supervisor/dicom/dataset-walker.js'

const LONG_VRS = new Set(['OB', 'OW', 'SQ', 'UN', 'UT'])

// One element in `enc`; `undefinedLength` writes 0xFFFFFFFF as its length.
function el(enc: ElementEncoding, tag: number, vr: string, value: Buffer, undefinedLength = false): Buffer {
  const be = enc === 'explicit-be'
  const length = undefinedLength ? 0xffffffff : value.length
  const explicitLong = enc !== 'implicit-le' && LONG_VRS.has(vr)
  const head = Buffer.alloc(explicitLong ? 12 : 8)
  if (be) head.writeUInt16BE(tag >>> 16, 0), head.writeUInt16BE(tag & 0xffff, 2)
  else head.writeUInt16LE(tag >>> 16, 0), head.writeUInt16LE(tag & 0xffff, 2)
  if (enc !== 'implicit-le' && tag >>> 16 !== 0xfffe) head.write(vr, 4, 'latin1')
  if (enc === 'implicit-le' || explicitLong || tag >>> 16 === 0xfffe) be ? head.writeUInt32BE(length, head.length - 4) : head.writeUInt32LE(length, head.length - 4)
  else be ? head.writeUInt16BE(length, 6) : head.writeUInt16LE(length, 6)
  return Buffer.concat([head, value])
}
const padded = (bytes: Buffer, pad: number) => (bytes.length % 2 ? Buffer.concat([bytes, Buffer.from([pad])]) : bytes)
const txt = (enc: ElementEncoding, tag: number, vr: string, s: string, charset: BufferEncoding = 'latin1') => el(enc, tag, vr, padded(Buffer.from(s, charset), 0x20))
const uid = (enc: ElementEncoding, tag: number, s: string) => el(enc, tag, 'UI', padded(Buffer.from(s, 'latin1'), 0))

const CT = '1.2.840.10008.5.1.4.1.1.2'

// A typical data set: every header value, a sequence hiding a second StudyInstanceUID, pixel data.
function dataset(enc: ElementEncoding, { charset = 'ISO_IR 100', name = 'Doe^Jane', nameEncoding = 'latin1' as BufferEncoding } = {}): Buffer {
  const nestedStudy = el(enc, 0xfffee000, '', uid(enc, 0x0020000d, '9.9.9'))
  return Buffer.concat([
    txt(enc, 0x00080005, 'CS', charset),
    uid(enc, 0x00080016, CT),
    uid(enc, 0x00080018, '1.2.3.4.5'),
    txt(enc, 0x00080020, 'DA', '20240131'),
    txt(enc, 0x00080050, 'SH', '  ACC123'),
    txt(enc, 0x00080060, 'CS', 'CT'),
    txt(enc, 0x00081030, 'LO', 'Head   '),
    txt(enc, 0x0008103e, 'LO', 'Axial 5mm'),
    el(enc, 0x00081110, 'SQ', nestedStudy),
    txt(enc, 0x00100010, 'PN', name, nameEncoding),
    txt(enc, 0x00100020, 'LO', 'PID-7'),
    uid(enc, 0x0020000d, '1.2.3.100'),
    uid(enc, 0x0020000e, '1.2.3.100.1'),
    txt(enc, 0x00200013, 'IS', '1'),
    el(enc, 0x7fe00010, 'OW', Buffer.alloc(16)),
  ])
}

const EXPECTED = {
  specificCharacterSet: 'ISO_IR 100',
  sopClassUid: CT,
  sopInstanceUid: '1.2.3.4.5',
  studyDate: '20240131',
  accessionNumber: 'ACC123',
  modality: 'CT',
  studyDescription: 'Head',
  seriesDescription: 'Axial 5mm',
  patientName: 'Doe^Jane',
  patientId: 'PID-7',
  studyInstanceUid: '1.2.3.100',
  seriesInstanceUid: '1.2.3.100.1',
}

const read = (bytes: Buffer, enc: ElementEncoding, validate = false) => readDatasetHeader(new BufferSource(bytes), 0, enc, { validate })

describe('readDatasetHeader', () => {
  for (const enc of ['explicit-le', 'explicit-be', 'implicit-le'] as const) {
    it(`reads every header value of an ${enc} data set, ignoring values inside sequences`, () => {
      assert.deepEqual(read(dataset(enc), enc), EXPECTED)
    })
  }

  it('cleans the NUL padding of odd-length UIDs', () => {
    const bytes = dataset('explicit-le')
    assert.ok(bytes.includes(Buffer.from(`${CT}\0`, 'latin1')), 'the fixture pads the UID with NUL')
    assert.equal(read(bytes, 'explicit-le').sopClassUid, CT)
  })

  it('trims trailing spaces and NULs and leading spaces from text', () => {
    const bytes = Buffer.concat([el('explicit-le', 0x00080060, 'CS', Buffer.from('MR \0', 'latin1')), txt('explicit-le', 0x00100020, 'LO', '  12 34  ')])
    const header = read(bytes, 'explicit-le')
    assert.equal(header.modality, 'MR')
    assert.equal(header.patientId, '12 34')
  })

  it('decodes text as UTF-8 when the character set is ISO_IR 192', () => {
    const bytes = dataset('explicit-le', { charset: 'ISO_IR 192', name: 'Müller^Jürgen=山田', nameEncoding: 'utf8' })
    assert.equal(read(bytes, 'explicit-le').patientName, 'Müller^Jürgen=山田')
  })

  it('decodes text as Latin-1 otherwise', () => {
    assert.equal(read(dataset('explicit-le', { name: 'Müller' }), 'explicit-le').patientName, 'Müller')
    const utf8Bytes = dataset('explicit-le', { charset: 'ISO_IR 100', name: 'Müller', nameEncoding: 'utf8' })
    assert.equal(read(utf8Bytes, 'explicit-le').patientName, 'MÃ¼ller', 'UTF-8 bytes are not guessed')
  })

  it('leaves absent and empty values as empty strings', () => {
    const bytes = Buffer.concat([el('explicit-le', 0x00080020, 'DA', Buffer.alloc(0)), uid('explicit-le', 0x0020000d, '1.2')])
    const header = read(bytes, 'explicit-le')
    assert.equal(header.studyDate, '')
    assert.equal(header.patientName, '')
    assert.equal(header.studyInstanceUid, '1.2')
  })

  it('cuts a hostile huge value to 1024 bytes', () => {
    const bytes = el('explicit-le', 0x00081030, 'LO', Buffer.alloc(5000, 'x'))
    assert.equal(read(bytes, 'explicit-le').studyDescription, 'x'.repeat(1024))
  })

  it('stops after the header values when validate is false, so later damage goes unseen', () => {
    const bytes = dataset('explicit-le')
    const cut = bytes.subarray(0, bytes.length - 5)
    assert.deepEqual(read(cut, 'explicit-le', false), EXPECTED)
  })

  it('walks to the end when validate is true and throws for a damaged data set', () => {
    const bytes = dataset('explicit-le')
    assert.deepEqual(read(bytes, 'explicit-le', true), EXPECTED)
    assert.throws(() => read(bytes.subarray(0, bytes.length - 5), 'explicit-le', true), MalformedDatasetError)
  })

  it('throws even without validate when the damage is before the header values', () => {
    const bytes = dataset('explicit-le')
    const bad = Buffer.from(bytes)
    bad.write('\x01\x02', 4, 'latin1')
    assert.throws(() => read(bad, 'explicit-le'), /no valid VR/)
  })

  it('reads from the given start offset', () => {
    const bytes = Buffer.concat([Buffer.from('junk'), dataset('implicit-le')])
    assert.deepEqual(readDatasetHeader(new BufferSource(bytes), 4, 'implicit-le'), EXPECTED)
  })
})

describe('readEncodedDatasetHeader', () => {
  it('reads a deflated data set after inflating it', () => {
    const prefix = Buffer.alloc(20, 0xab)
    const bytes = Buffer.concat([prefix, deflateRawSync(dataset('explicit-le'))])
    assert.deepEqual(readEncodedDatasetHeader(new BufferSource(bytes), 20, 'deflated-explicit-le', { validate: true }), EXPECTED)
  })

  it('ignores the NUL that pads a deflate stream of odd length', () => {
    const bytes = Buffer.concat([deflateRawSync(dataset('explicit-le')), Buffer.from([0])])
    assert.deepEqual(readEncodedDatasetHeader(new BufferSource(bytes), 0, 'deflated-explicit-le'), EXPECTED)
  })

  it('throws MalformedDatasetError for a corrupt deflate stream', () => {
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x13, 0x37])
    assert.throws(() => readEncodedDatasetHeader(new BufferSource(garbage), 0, 'deflated-explicit-le'), (error: unknown) => {
      assert.ok(error instanceof MalformedDatasetError)
      assert.match(error.message, /^deflated data set does not inflate: /)
      return true
    })
  })

  it('throws MalformedDatasetError for a deflate stream that was cut short', () => {
    const deflated = deflateRawSync(dataset('explicit-le'))
    const cut = deflated.subarray(0, Math.floor(deflated.length / 2))
    assert.throws(() => readEncodedDatasetHeader(new BufferSource(cut), 0, 'deflated-explicit-le'), MalformedDatasetError)
  })

  it('refuses a deflated data set that inflates past MAX_INFLATED_BYTES (a decompression bomb, found by the network campaign)', () => {
    // 65 KB on the wire, 64 MiB and a byte once inflated.
    const bomb = deflateRawSync(Buffer.concat([dataset('explicit-le'), el('explicit-le', 0x7fe00010, 'OB', Buffer.alloc(MAX_INFLATED_BYTES))]), { level: 9 })
    assert.throws(() => readEncodedDatasetHeader(new BufferSource(bomb), 0, 'deflated-explicit-le'), (error: unknown) => {
      assert.ok(error instanceof MalformedDatasetError)
      assert.equal(error.message, 'deflated data set inflates to more than 64 MB')
      return true
    })
  })

  it('reads the other encodings as they are', () => {
    assert.deepEqual(readEncodedDatasetHeader(new BufferSource(dataset('explicit-be')), 0, 'explicit-be'), EXPECTED)
  })
})
