/**
 * @module dataset-header-target
 * Fuzz target: what the box reads from a received instance: the Part-10 envelope, the header
 * values used for grouping and job records (readInstance with `validate`, as StoreSession does
 * before Success; without, as job creation does), and the grouping key made from them. An input
 * that is not a Part-10 file is read as a bare data set instead, its first byte choosing the
 * encoding (implicit LE, explicit LE, explicit BE, deflated). Checked beyond "no crash": a data
 * set that validates also reads without validation.
 */
import { BufferSource } from '../../../supervisor/dicom/byte-source.js'
import { readEncodedDatasetHeader } from '../../../supervisor/dicom/dataset-header.js'
import { readInstance } from '../../../supervisor/dicom/part10-file.js'
import type { DatasetEncoding } from '../../../supervisor/dicom/transfer-syntax.js'
import { isSafeUid } from '../../../supervisor/dicom/uid.js'
import { groupKey } from '../../../supervisor/receiver/incoming-store.js'
import { invariant, tolerant, type FuzzTarget } from '../fuzz-target.js'
import { datasetFields, part10Fields } from '../length-fields.js'
import { DATASET_DICTIONARY } from './dicom-dictionary.js'

const ENCODINGS: DatasetEncoding[] = ['implicit-le', 'explicit-le', 'explicit-be', 'deflated-explicit-le']

const isPart10 = (input: Buffer) => input.length >= 132 && input.toString('latin1', 128, 132) === 'DICM'

export const datasetHeaderTarget: FuzzTarget = {
  name: 'dataset-header',
  description: 'Part-10 envelope, data set walk (validate) and the header values read for grouping',
  maxLength: 16384,
  dictionary: DATASET_DICTIONARY,
  lengthFields: (input) => (isPart10(input) ? part10Fields(input) : datasetFields(input, 1, input[0] === undefined || input[0] % 4 !== 2)),
  run(input) {
    let header
    let lenient
    if (isPart10(input)) {
      header = tolerant(() => readInstance(new BufferSource(input), { validate: true }).header)
      lenient = tolerant(() => readInstance(new BufferSource(input)).header)
    } else {
      if (input.length === 0) return
      const encoding = ENCODINGS[input[0]! % ENCODINGS.length]!
      const source = new BufferSource(input.subarray(1))
      header = tolerant(() => readEncodedDatasetHeader(source, 0, encoding, { validate: true }))
      lenient = tolerant(() => readEncodedDatasetHeader(source, 0, encoding))
    }
    if (!header) return
    invariant(lenient, 'a data set that validates does not read without validation')
    if (isSafeUid(header.sopInstanceUid) && isSafeUid(header.studyInstanceUid)) groupKey('FUZZSTORE', 'CALLER', header.studyInstanceUid)
  },
}
