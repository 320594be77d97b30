/**
 * @module part10-meta-target
 * Fuzz target: the inputs of the Part-10 file meta header the receiver writes in front of every
 * data set. The input is what the wire decides them from: one byte choosing the accepted
 * transfer syntax, the 16-byte calling AE title field of the A-ASSOCIATE-RQ, and the C-STORE-RQ
 * command set. As StoreSession.begin does, the command's UIDs are cleaned and refused unless they
 * are safe; then buildFileMeta writes the header. Checked beyond "no crash": reading the header
 * back (readEnvelope, and readInstance with a small data set behind it) gives exactly the class,
 * instance, transfer syntax and source AE title that went in.
 */
import { deflateRawSync } from 'node:zlib'
import { BufferSource } from '../../../supervisor/dicom/byte-source.js'
import { buildFileMeta, readEnvelope, readInstance } from '../../../supervisor/dicom/part10-file.js'
import { decodeRequest } from '../../../supervisor/dicom/pdu/dimse-command.js'
import { transferSyntax } from '../../../supervisor/dicom/transfer-syntax.js'
import { cleanUid, isSafeUid } from '../../../supervisor/dicom/uid.js'
import { StoreFailure, StoreStatus } from '../../../supervisor/receiver/store-status.js'
import { invariant, isExpectedError, tolerant, type FuzzTarget } from '../fuzz-target.js'
import { commandFields } from '../length-fields.js'
import { PDU_DICTIONARY } from './dicom-dictionary.js'

export const ACCEPTED_SYNTAXES = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.90', '1.2.840.10008.1.2.5']

const aeText = (b: Buffer) => b.toString('latin1').replace(/^ +| +$/g, '')

// A data set holding only (0008,0018) and (0020,000D), in the encoding of the syntax.
function tinyDataset(sopInstanceUid: string, syntaxUid: string): Buffer {
  const syntax = transferSyntax(syntaxUid)!.encoding
  const encoding = syntax === 'deflated-explicit-le' ? 'explicit-le' : syntax
  const element = (group: number, element: number, value: string) => {
    const v = Buffer.from(value.length % 2 ? `${value}\0` : value, 'latin1')
    const be = encoding === 'explicit-be'
    const head = Buffer.alloc(8)
    be ? head.writeUInt16BE(group, 0) : head.writeUInt16LE(group, 0)
    be ? head.writeUInt16BE(element, 2) : head.writeUInt16LE(element, 2)
    if (encoding === 'implicit-le') head.writeUInt32LE(v.length, 4)
    else {
      head.write('UI', 4, 'latin1')
      be ? head.writeUInt16BE(v.length, 6) : head.writeUInt16LE(v.length, 6)
    }
    return Buffer.concat([head, v])
  }
  const dataset = Buffer.concat([element(0x0008, 0x0018, sopInstanceUid), element(0x0020, 0x000d, '1.2.3.4')])
  return syntax === 'deflated-explicit-le' ? deflateRawSync(dataset) : dataset
}

export const part10MetaTarget: FuzzTarget = {
  name: 'part10-meta',
  description: 'the Part-10 meta header written from wire inputs (C-STORE-RQ UIDs, calling AE, transfer syntax), read back',
  maxLength: 4096,
  dictionary: PDU_DICTIONARY,
  lengthFields: (input) => commandFields(input, 17, input.length),
  run(input) {
    if (input.length < 17) return
    const transferSyntaxUid = ACCEPTED_SYNTAXES[input[0]! % ACCEPTED_SYNTAXES.length]!
    const sourceAE = aeText(input.subarray(1, 17)).trim()
    const request = tolerant(() => decodeRequest(input.subarray(17)))
    if (!request) return
    const sopClassUid = cleanUid(request.affectedSopClassUid)
    const sopInstanceUid = cleanUid(request.affectedSopInstanceUid)
    if (!isSafeUid(sopInstanceUid) || !isSafeUid(sopClassUid)) throw new StoreFailure(StoreStatus.CannotUnderstand, 'not a valid UID')
    const meta = buildFileMeta({ sopClassUid, sopInstanceUid, transferSyntaxUid, sourceAE })
    try {
      const envelope = readEnvelope(new BufferSource(meta))
      invariant(envelope.datasetOffset === meta.length, () => `the data set would start at ${envelope.datasetOffset}, the header is ${meta.length} bytes`)
      invariant(envelope.sopClassUid === sopClassUid, () => `SOP Class UID ${JSON.stringify(envelope.sopClassUid)} read back, ${JSON.stringify(sopClassUid)} written`)
      invariant(envelope.sopInstanceUid === sopInstanceUid, () => `SOP Instance UID ${JSON.stringify(envelope.sopInstanceUid)} read back, ${JSON.stringify(sopInstanceUid)} written`)
      invariant(envelope.transferSyntaxUid === transferSyntaxUid, () => `transfer syntax ${envelope.transferSyntaxUid} read back, ${transferSyntaxUid} written`)
      invariant(envelope.sourceAE === sourceAE.slice(0, 16).trim(), () => `source AE ${JSON.stringify(envelope.sourceAE)} read back, ${JSON.stringify(sourceAE)} written`)
      const instance = readInstance(new BufferSource(Buffer.concat([meta, tinyDataset(sopInstanceUid, transferSyntaxUid)])), { validate: true })
      invariant(instance.header.sopInstanceUid === sopInstanceUid, () => `the data set's SOP Instance UID read back as ${JSON.stringify(instance.header.sopInstanceUid)}`)
    } catch (error) {
      // The box's own header must always read back: even an "expected" error here is a bug.
      invariant(!isExpectedError(error), () => `the meta header the box wrote does not read back: ${(error as Error).name}: ${(error as Error).message}`)
      throw error
    }
  },
}
