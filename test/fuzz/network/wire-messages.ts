/**
 * @module wire-messages
 * The well-formed DICOM messages the network campaign starts from (and then breaks): an
 * A-ASSOCIATE-RQ for a called AE title, C-ECHO and C-STORE requests in P-DATA-TF PDUs, A-RELEASE
 * and A-ABORT, and a small valid CT data set with the UIDs asked for, all from the box's own codec.
 */
import { cEchoRequest, cStoreRequest } from '../../../supervisor/dicom/pdu/dimse-command.js'
import { encodeAbort, encodeAssociateRQ, pDataHeader, PDV_COMMAND, PDV_LAST, RELEASE_RQ, type ProposedContext } from '../../../supervisor/dicom/pdu/pdu-codec.js'
import { explicitLeElement, textValue, uidValue } from '../../helpers/explicit-le-elements.js'

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2'
export const VERIFICATION = '1.2.840.10008.1.1'
export const EXPLICIT_LE = '1.2.840.10008.1.2.1'
export const IMPLICIT_LE = '1.2.840.10008.1.2'

/** Context 1: CT storage (explicit LE); context 3: verification. */
export const STANDARD_CONTEXTS: ProposedContext[] = [
  { id: 1, abstractSyntax: CT_IMAGE_STORAGE, transferSyntaxes: [EXPLICIT_LE] },
  { id: 3, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] },
]

export function associateRQ(calledAE: string, callingAE = 'HOSTILE', contexts: ProposedContext[] = STANDARD_CONTEXTS, maxPduLength = 16384): Buffer {
  return encodeAssociateRQ({ calledAE, callingAE, contexts, maxPduLength, implementationClassUid: '1.2.826.0.1.3680043.10.99', implementationVersionName: 'HOSTILE' })
}

/** One P-DATA-TF PDU holding one PDV. */
export function pdata(contextId: number, control: number, value: Buffer): Buffer {
  return Buffer.concat([pDataHeader(contextId, control, value.length), value])
}

export function echoPdu(messageId = 1): Buffer {
  return pdata(3, PDV_COMMAND | PDV_LAST, cEchoRequest(messageId))
}

export function storeCommandPdu(sopInstanceUid: string, messageId = 1, sopClassUid = CT_IMAGE_STORAGE): Buffer {
  return pdata(1, PDV_COMMAND | PDV_LAST, cStoreRequest(messageId, sopClassUid, sopInstanceUid))
}

/** A data set sent as PDVs of at most `fragment` bytes, the last one flagged last. */
export function datasetPdus(dataset: Buffer, fragment = 8192, contextId = 1): Buffer {
  if (dataset.length === 0) return pdata(contextId, PDV_LAST, dataset)
  const out: Buffer[] = []
  for (let at = 0; at < dataset.length; at += fragment) out.push(pdata(contextId, at + fragment >= dataset.length ? PDV_LAST : 0, dataset.subarray(at, at + fragment)))
  return Buffer.concat(out)
}

export const RELEASE = RELEASE_RQ
export const ABORT = encodeAbort(0, 0)

const element = explicitLeElement
const uid = uidValue
const text = textValue

/** A small, valid CT data set (explicit VR little endian) with 64 bytes of pixel data. */
export function tinyCtDataset(sopInstanceUid: string, studyInstanceUid: string, options: { sopInDataset?: string; omitStudy?: boolean } = {}): Buffer {
  return Buffer.concat([
    element(0x0008, 0x0016, 'UI', uid(CT_IMAGE_STORAGE)),
    element(0x0008, 0x0018, 'UI', uid(options.sopInDataset ?? sopInstanceUid)),
    element(0x0008, 0x0060, 'CS', text('CT')),
    element(0x0010, 0x0010, 'PN', text('HOSTILE^CAMPAIGN')),
    element(0x0010, 0x0020, 'LO', text('FUZZ')),
    ...(options.omitStudy ? [] : [element(0x0020, 0x000d, 'UI', uid(studyInstanceUid))]),
    element(0x0020, 0x000e, 'UI', uid(`${studyInstanceUid}.1`)),
    element(0x0028, 0x0010, 'US', Buffer.from([8, 0])),
    element(0x0028, 0x0011, 'US', Buffer.from([8, 0])),
    element(0x7fe0, 0x0010, 'OB', Buffer.alloc(64, 0x5a)),
  ])
}
