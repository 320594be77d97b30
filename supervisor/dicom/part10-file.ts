/**
 * @module part10-file
 * The DICOM Part-10 file envelope: 128-byte preamble, `DICM`, the group 0002 file meta information
 * (always Explicit VR Little Endian), then the data set bytes exactly as they were received.
 */
import { BufferSource, FileSource, type ByteSource } from './byte-source.js'
import { readEncodedDatasetHeader, type DatasetHeader } from './dataset-header.js'
import { elementHeaderAt, MalformedDatasetError } from './dataset-walker.js'
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './implementation.js'
import { transferSyntax } from './transfer-syntax.js'
import { cleanUid } from './uid.js'

export interface FileMeta {
  sopClassUid: string
  sopInstanceUid: string
  transferSyntaxUid: string
  sourceAE: string
}

export interface Part10Envelope extends FileMeta {
  /** Byte offset of the data set in the file. */
  datasetOffset: number
  fileSize: number
}

export class NotPart10Error extends Error {
  override name = 'NotPart10Error'
}

// One explicit-LE element of the meta group, value padded to even length.
function metaElement(element: number, vr: string, value: Buffer): Buffer {
  const long = vr === 'OB'
  const head = Buffer.alloc(long ? 12 : 8)
  head.writeUInt16LE(0x0002, 0)
  head.writeUInt16LE(element, 2)
  head.write(vr, 4, 'latin1')
  if (long) head.writeUInt32LE(value.length, 8)
  else head.writeUInt16LE(value.length, 6)
  return Buffer.concat([head, value])
}

function padded(text: string, pad: string): Buffer {
  return Buffer.from(text.length % 2 === 0 ? text : text + pad, 'latin1')
}

// Preamble, `DICM` and the file meta group for a data set of the given class, instance and syntax.
export function buildFileMeta(meta: FileMeta): Buffer {
  const elements = [
    metaElement(0x0001, 'OB', Buffer.from([0x00, 0x01])),
    metaElement(0x0002, 'UI', padded(meta.sopClassUid, '\0')),
    metaElement(0x0003, 'UI', padded(meta.sopInstanceUid, '\0')),
    metaElement(0x0010, 'UI', padded(meta.transferSyntaxUid, '\0')),
    metaElement(0x0012, 'UI', padded(IMPLEMENTATION_CLASS_UID, '\0')),
    metaElement(0x0013, 'SH', padded(IMPLEMENTATION_VERSION_NAME, ' ')),
  ]
  const sourceAE = meta.sourceAE.trim()
  if (sourceAE) elements.push(metaElement(0x0016, 'AE', padded(sourceAE.slice(0, 16), ' ')))
  const body = Buffer.concat(elements)
  const groupLength = metaElement(0x0000, 'UL', Buffer.alloc(4))
  groupLength.writeUInt32LE(body.length, 8)
  const preamble = Buffer.alloc(132)
  preamble.write('DICM', 128, 'latin1')
  return Buffer.concat([preamble, groupLength, body])
}

// Read the envelope of a Part-10 file held in `source`.
export function readEnvelope(source: ByteSource): Part10Envelope {
  if (source.length < 132 || source.read(128, 4).toString('latin1') !== 'DICM') {
    throw new NotPart10Error('not a DICOM Part-10 file (no DICM prefix)')
  }
  const meta: FileMeta = { sopClassUid: '', sopInstanceUid: '', transferSyntaxUid: '', sourceAE: '' }
  let datasetOffset = 132
  try {
    // The meta group is Explicit VR Little Endian; the data set after it may not be.
    while (datasetOffset + 8 <= source.length && source.read(datasetOffset, 2).readUInt16LE(0) === 0x0002) {
      const element = elementHeaderAt(source, datasetOffset, 'explicit-le')
      if (element.length < 0 || element.valueOffset + element.length > source.length) {
        throw new MalformedDatasetError(`meta element ${element.tag.toString(16)} has a bad length`)
      }
      const read = () => source.read(element.valueOffset, Math.min(element.length, 256)).toString('latin1')
      if (element.tag === 0x00020002) meta.sopClassUid = cleanUid(read())
      if (element.tag === 0x00020003) meta.sopInstanceUid = cleanUid(read())
      if (element.tag === 0x00020010) meta.transferSyntaxUid = cleanUid(read())
      if (element.tag === 0x00020016) meta.sourceAE = read().trim()
      datasetOffset = element.valueOffset + element.length
    }
  } catch (error) {
    if (error instanceof MalformedDatasetError) throw new NotPart10Error(`file meta information is malformed: ${error.message}`)
    throw error
  }
  if (!meta.transferSyntaxUid) throw new NotPart10Error('file meta information has no Transfer Syntax UID')
  return { ...meta, datasetOffset, fileSize: source.length }
}

export interface InstanceFile extends Part10Envelope {
  header: DatasetHeader
}

// Envelope and header values of a Part-10 file held in `source`; `validate` also proves the data set is whole.
export function readInstance(source: ByteSource, { validate = false } = {}): InstanceFile {
  const envelope = readEnvelope(source)
  const syntax = transferSyntax(envelope.transferSyntaxUid)
  if (!syntax) throw new NotPart10Error(`transfer syntax ${envelope.transferSyntaxUid} is not one the box can read`)
  const header = readEncodedDatasetHeader(source, envelope.datasetOffset, syntax.encoding, { validate })
  return { ...envelope, header }
}

// Envelope and header values of a Part-10 file on disk.
export function readInstanceFile(path: string, options: { validate?: boolean } = {}): InstanceFile {
  const source = new FileSource(path)
  try {
    return readInstance(source, options)
  } finally {
    source.close()
  }
}

// Envelope of a Part-10 file in memory (tests and small files).
export function readEnvelopeFromBuffer(buffer: Buffer): Part10Envelope {
  return readEnvelope(new BufferSource(buffer))
}
