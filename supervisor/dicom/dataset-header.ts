/**
 * @module dataset-header
 * The few data set values the box uses (grouping, job records, the studies list), read with the
 * dataset walker. Values are decoded as text; nothing else in the data set is touched.
 */
import { inflateRawSync } from 'node:zlib'
import { BufferSource, type ByteSource } from './byte-source.js'
import { MalformedDatasetError, walkDataset, type ElementEncoding } from './dataset-walker.js'
import type { DatasetEncoding } from './transfer-syntax.js'
import { cleanUid } from './uid.js'

export interface DatasetHeader {
  specificCharacterSet: string
  sopClassUid: string
  sopInstanceUid: string
  studyDate: string
  accessionNumber: string
  modality: string
  studyDescription: string
  seriesDescription: string
  patientName: string
  patientId: string
  studyInstanceUid: string
  seriesInstanceUid: string
}

const TAGS: Record<number, keyof DatasetHeader> = {
  0x00080005: 'specificCharacterSet',
  0x00080016: 'sopClassUid',
  0x00080018: 'sopInstanceUid',
  0x00080020: 'studyDate',
  0x00080050: 'accessionNumber',
  0x00080060: 'modality',
  0x00081030: 'studyDescription',
  0x0008103e: 'seriesDescription',
  0x00100010: 'patientName',
  0x00100020: 'patientId',
  0x0020000d: 'studyInstanceUid',
  0x0020000e: 'seriesInstanceUid',
}
const LAST_TAG = 0x0020000e
const UID_FIELDS = new Set<keyof DatasetHeader>(['sopClassUid', 'sopInstanceUid', 'studyInstanceUid', 'seriesInstanceUid'])
/** Values longer than this are cut: these are short attributes, a huge one is hostile. */
const MAX_VALUE = 1024

// Decode a text value: UTF-8 when the character set says ISO_IR 192, else Latin-1.
function decodeText(bytes: Buffer, charset: string): string {
  const text = /ISO_IR 192/.test(charset) ? bytes.toString('utf8') : bytes.toString('latin1')
  return text.replace(/[\0 ]+$/, '').replace(/^ +/, '')
}

export interface ReadHeaderOptions {
  /** Walk the whole data set and throw MalformedDatasetError unless it is structurally whole. */
  validate?: boolean
}

// Read the header values from an already-inflated data set.
export function readDatasetHeader(
  source: ByteSource,
  start: number,
  encoding: ElementEncoding,
  { validate = false }: ReadHeaderOptions = {},
): DatasetHeader {
  const header: DatasetHeader = {
    specificCharacterSet: '',
    sopClassUid: '',
    sopInstanceUid: '',
    studyDate: '',
    accessionNumber: '',
    modality: '',
    studyDescription: '',
    seriesDescription: '',
    patientName: '',
    patientId: '',
    studyInstanceUid: '',
    seriesInstanceUid: '',
  }
  walkDataset(source, start, encoding, (element) => {
    const field = TAGS[element.tag]
    if (field && element.length > 0) {
      const length = Math.min(element.length, MAX_VALUE)
      if (element.valueOffset + length <= source.length) {
        const bytes = source.read(element.valueOffset, length)
        header[field] = UID_FIELDS.has(field) ? cleanUid(bytes.toString('latin1')) : decodeText(bytes, header.specificCharacterSet)
      }
    }
    return !validate && element.tag >= LAST_TAG ? 'stop' : 'continue'
  })
  return header
}

/**
 * A deflated data set is inflated in memory to be read; one that inflates to more than this is
 * refused (a decompression bomb: under 1 MB on the wire can inflate to gigabytes).
 */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024

// Read the header of a data set in any accepted encoding; a deflated one is inflated first (up to MAX_INFLATED_BYTES).
export function readEncodedDatasetHeader(
  source: ByteSource,
  start: number,
  encoding: DatasetEncoding,
  options: ReadHeaderOptions = {},
): DatasetHeader {
  if (encoding !== 'deflated-explicit-le') return readDatasetHeader(source, start, encoding, options)
  let inflated: Buffer
  try {
    inflated = inflateRawSync(source.read(start, source.length - start), { maxOutputLength: MAX_INFLATED_BYTES })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new MalformedDatasetError(`deflated data set inflates to more than ${MAX_INFLATED_BYTES / 1024 ** 2} MB`)
    }
    throw new MalformedDatasetError(`deflated data set does not inflate: ${(error as Error).message}`)
  }
  return readDatasetHeader(new BufferSource(inflated), 0, 'explicit-le', options)
}
