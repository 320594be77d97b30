/**
 * @module pdu-reader-target
 * Fuzz target: what the box's SCU (the sender) reads from a destination: the buffering
 * PduReader over chunks, then A-ASSOCIATE-AC, A-ASSOCIATE-RJ, A-ABORT and P-DATA-TF decoded as
 * ScuAssociation does, command PDVs assembled into a response command set and decoded. Checked
 * beyond "no crash": the PDUs the reader cuts are exactly the bytes it was given, in order.
 */
import { decodeResponse, isStoredStatus, statusText } from '../../../supervisor/dicom/pdu/dimse-command.js'
import { decodeAbort, decodeAssociateAC, decodeAssociateRJ, decodePdvs, PDV_COMMAND, PDV_LAST } from '../../../supervisor/dicom/pdu/pdu-codec.js'
import { PduReader, type RawPdu } from '../../../supervisor/dicom/pdu/pdu-reader.js'
import { abortText, contextResultText, PduType, rejectText } from '../../../supervisor/dicom/pdu/pdu-types.js'
import { invariant, tolerant, type FuzzTarget } from '../fuzz-target.js'
import { pduStreamFields } from '../length-fields.js'
import { PDU_DICTIONARY } from './dicom-dictionary.js'
import { inputChunks } from './input-chunks.js'

export const pduReaderTarget: FuzzTarget = {
  name: 'pdu-reader',
  description: "the sender's PDU reader (PduReader) and its decoding of A-ASSOCIATE-AC/RJ, A-ABORT and response command sets",
  maxLength: 16384,
  dictionary: PDU_DICTIONARY,
  lengthFields: (input) => pduStreamFields(input),
  run(input) {
    // The SCU's limit: its own maximum PDU plus room for headers.
    const reader = new PduReader(64 * 1024 + 1024)
    const pdus: RawPdu[] = []
    for (const chunk of inputChunks(input)) {
      const got = tolerant(() => reader.push(chunk))
      if (!got) break
      pdus.push(...got)
    }
    let at = 0
    for (const pdu of pdus) {
      invariant(input[at] === pdu.type && input.readUInt32BE(at + 2) === pdu.body.length, () => `PDU at byte ${at} is not the one the reader returned`)
      invariant(input.subarray(at + 6, at + 6 + pdu.body.length).equals(pdu.body), () => `the body of the PDU at byte ${at} differs from the input`)
      at += 6 + pdu.body.length
    }

    const command: Buffer[] = []
    for (const pdu of pdus) {
      if (pdu.type === PduType.AssociateAC) {
        const accept = tolerant(() => decodeAssociateAC(pdu.body))
        for (const [, context] of accept?.contexts ?? []) contextResultText(context.result)
      } else if (pdu.type === PduType.AssociateRJ) {
        const rj = tolerant(() => decodeAssociateRJ(pdu.body))
        if (rj) rejectText(rj.result, rj.source, rj.reason)
      } else if (pdu.type === PduType.Abort) {
        const { source, reason } = decodeAbort(pdu.body)
        abortText(source, reason)
      } else if (pdu.type === PduType.PData) {
        const pdvs = tolerant(() => [...decodePdvs(pdu.body)])
        for (const pdv of pdvs ?? []) {
          if (!(pdv.control & PDV_COMMAND)) continue
          command.push(pdv.data)
          if (!(pdv.control & PDV_LAST)) continue
          const response = tolerant(() => decodeResponse(Buffer.concat(command)))
          command.length = 0
          if (response) {
            isStoredStatus(response.status)
            statusText(response.status)
          }
        }
      }
    }
  },
}
