/**
 * @module associate-rq-target
 * Fuzz target: association negotiation as the receiver does it. An A-ASSOCIATE-RQ (the input is
 * the whole PDU; its body is decoded whatever the header says), the association and every
 * presentation context decided for a storage stream and for the box's own AE title, and the
 * A-ASSOCIATE-AC built from the answers. Checked beyond "no crash": the AC the box would send
 * decodes again, answers every proposed context id with the decided result and transfer syntax,
 * and carries the box's maximum PDU length.
 */
import { decodeAssociateAC, decodeAssociateRQ, encodeAssociateAC, encodeAssociateRJ, type AcceptedContext } from '../../../supervisor/dicom/pdu/pdu-codec.js'
import { cleanUid } from '../../../supervisor/dicom/uid.js'
import { decideAssociation, decideContext } from '../../../supervisor/receiver/association-policy.js'
import type { StreamDefinition } from '../../../supervisor/streams/stream-definition.js'
import { invariant, mustSucceed, tolerant, type FuzzTarget } from '../fuzz-target.js'
import { associationItemFields, pduStreamFields } from '../length-fields.js'
import { PDU_DICTIONARY } from './dicom-dictionary.js'

const STREAM = { aeTitle: 'FUZZSTORE' } as StreamDefinition

export const associateRqTarget: FuzzTarget = {
  name: 'associate-rq',
  description: 'A-ASSOCIATE-RQ decoding, association and presentation context decisions, and the A-ASSOCIATE-AC built from them',
  maxLength: 8192,
  dictionary: PDU_DICTIONARY,
  lengthFields: (input) => [...pduStreamFields(input).slice(0, 1), ...associationItemFields(input, 6 + 68, input.length)],
  run(input) {
    const request = tolerant(() => decodeAssociateRQ(input.subarray(6)))
    if (!request) return
    const association = decideAssociation(request.calledAE, 'MAGICKBOX', (ae) => (ae === STREAM.aeTitle ? STREAM : undefined))
    encodeAssociateRJ(1, 1, 7)
    for (const role of ['store', 'echo'] as const) {
      const answers: AcceptedContext[] = request.contexts.map((pc) => {
        const decision = decideContext(role, cleanUid(pc.abstractSyntax), pc.transferSyntaxes.map(cleanUid))
        return decision.accept
          ? { id: pc.id, result: 0, transferSyntax: decision.transferSyntaxUid }
          : { id: pc.id, result: decision.result === 'abstract-syntax-not-supported' ? 3 : 4, transferSyntax: pc.transferSyntaxes[0] ?? '' }
      })
      const options = { maxPduLength: 131072, implementationClassUid: '1.2.826.0.1.3680043.10.1', implementationVersionName: 'MAGICKBOX_FUZZ' }
      const ac = encodeAssociateAC(request, answers, options)
      const back = mustSucceed('the A-ASSOCIATE-AC the box would send', () => decodeAssociateAC(ac.subarray(6)))
      invariant(back.maxPduLength === options.maxPduLength, 'the A-ASSOCIATE-AC lost its maximum PDU length')
      const expected = new Map(answers.map((a) => [a.id, a]))
      invariant(back.contexts.size === expected.size, () => `the A-ASSOCIATE-AC answers ${back.contexts.size} contexts, ${expected.size} were proposed`)
      for (const [id, answer] of expected) {
        const got = back.contexts.get(id)
        invariant(got?.result === answer.result, () => `context ${id}: result ${got?.result} in the AC, ${answer.result} decided`)
        if (answer.result === 0) invariant(got.transferSyntax === answer.transferSyntax, () => `context ${id}: transfer syntax ${got.transferSyntax} in the AC, ${answer.transferSyntax} decided`)
      }
    }
    void association
  },
}
