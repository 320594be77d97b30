/**
 * @module dataset-bytes
 * The data set of a Part-10 file (everything after the file meta group): what byte identity
 * compares.
 */
import { readFile } from 'node:fs/promises'
import { readEnvelopeFromBuffer } from '../../supervisor/dicom/part10-file.js'

export async function datasetOf(path: string): Promise<{ transferSyntaxUid: string; sopInstanceUid: string; bytes: Buffer }> {
  const buffer = await readFile(path)
  const envelope = readEnvelopeFromBuffer(buffer)
  return { transferSyntaxUid: envelope.transferSyntaxUid, sopInstanceUid: envelope.sopInstanceUid, bytes: buffer.subarray(envelope.datasetOffset) }
}

// Index Part-10 files by SOP Instance UID.
export async function bySopInstance(paths: string[]): Promise<Map<string, { path: string; transferSyntaxUid: string; bytes: Buffer }>> {
  const out = new Map<string, { path: string; transferSyntaxUid: string; bytes: Buffer }>()
  for (const path of paths) {
    const d = await datasetOf(path)
    out.set(d.sopInstanceUid, { path, transferSyntaxUid: d.transferSyntaxUid, bytes: d.bytes })
  }
  return out
}
