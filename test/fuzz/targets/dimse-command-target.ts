/**
 * @module dimse-command-target
 * Fuzz target: DIMSE command sets (group 0000, implicit VR little endian) as the receiver reads
 * a request and answers it, and as the sender reads a response. Checked beyond "no crash": the
 * response the receiver builds for any request it could read decodes again with the request's
 * command field (with the response bit), message id and the status given.
 */
import { decodeRequest, decodeResponse, responseTo } from '../../../supervisor/dicom/pdu/dimse-command.js'
import { invariant, mustSucceed, tolerant, type FuzzTarget } from '../fuzz-target.js'
import { commandFields } from '../length-fields.js'
import { PDU_DICTIONARY } from './dicom-dictionary.js'

const COMMENTS = ['', 'malformed data set: element (0008,0018) claims 4294967295 bytes', 'caf\u00e9 \r\n\u0000\u2028 \u{1F600}', 'x'.repeat(300)]

export const dimseCommandTarget: FuzzTarget = {
  name: 'dimse-command',
  description: 'DIMSE command set decoding (requests and responses) and the responses the receiver builds',
  maxLength: 4096,
  dictionary: PDU_DICTIONARY,
  lengthFields: (input) => commandFields(input, 0, input.length),
  run(input) {
    tolerant(() => decodeResponse(input))
    const request = tolerant(() => decodeRequest(input))
    if (!request) return
    for (const [i, status] of [0x0000, 0xc000, 0xa900, 0x0211].entries()) {
      const response = mustSucceed('the response the box would send', () => decodeResponse(responseTo(request, status, COMMENTS[i])))
      invariant(response.commandField === ((request.commandField | 0x8000) & 0xffff), () => `response command field 0x${response.commandField.toString(16)} for request 0x${request.commandField.toString(16)}`)
      invariant(response.messageIdBeingRespondedTo === request.messageId, () => `response to message ${response.messageIdBeingRespondedTo}, request was ${request.messageId}`)
      invariant(response.status === status, () => `response status 0x${response.status.toString(16)}, given 0x${status.toString(16)}`)
      invariant(!response.hasDataset, 'a response announced a data set')
    }
  },
}
