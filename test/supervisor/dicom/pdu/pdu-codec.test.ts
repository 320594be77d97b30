/**
 * The upper-layer PDUs the box's SCU sends and reads, checked byte by byte against PS3.8 9.3.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  decodeAbort,
  decodeAssociateAC,
  decodeAssociateRJ,
  decodePdvs,
  encodeAbort,
  encodeAssociateRQ,
  pDataHeader,
  PduFormatError,
  RELEASE_RP,
  RELEASE_RQ,
  type AssociateRequest,
} from '../../../../supervisor/dicom/pdu/pdu-codec.js'
import { APPLICATION_CONTEXT } from '../../../../supervisor/dicom/pdu/pdu-types.js'

const CT = '1.2.840.10008.5.1.4.1.1.2'
const MR = '1.2.840.10008.5.1.4.1.1.4'
const EXPLICIT_LE = '1.2.840.10008.1.2.1'
const IMPLICIT_LE = '1.2.840.10008.1.2'

const REQUEST: AssociateRequest = {
  calledAE: 'PACS',
  callingAE: 'MAGICKBOX',
  contexts: [
    { id: 1, abstractSyntax: CT, transferSyntaxes: [EXPLICIT_LE] },
    { id: 3, abstractSyntax: MR, transferSyntaxes: [EXPLICIT_LE, IMPLICIT_LE] },
  ],
  maxPduLength: 131072,
  implementationClassUid: '1.2.3.4',
  implementationVersionName: 'TEST_1',
}

// The variable items of a PDU body from `from`: type and value.
function items(body: Buffer, from: number): { type: number; value: Buffer }[] {
  const out: { type: number; value: Buffer }[] = []
  for (let offset = from; offset < body.length; ) {
    const length = body.readUInt16BE(offset + 2)
    out.push({ type: body[offset]!, value: body.subarray(offset + 4, offset + 4 + length) })
    offset += 4 + length
  }
  return out
}
const item = (type: number, value: Buffer) => Buffer.concat([Buffer.from([type, 0, value.length >> 8, value.length & 0xff]), value])
const str = (s: string) => Buffer.from(s, 'latin1')

describe('encodeAssociateRQ', () => {
  const pdu = encodeAssociateRQ(REQUEST)
  const body = pdu.subarray(6)

  it('writes PDU type 1 and a length field that counts the rest of the PDU', () => {
    assert.equal(pdu[0], 0x01)
    assert.equal(pdu[1], 0x00)
    assert.equal(pdu.readUInt32BE(2), pdu.length - 6)
  })

  it('writes protocol version 1 and the AE titles space-padded to 16 bytes', () => {
    assert.equal(body.readUInt16BE(0), 1)
    assert.equal(body.toString('latin1', 4, 20), 'PACS            ')
    assert.equal(body.toString('latin1', 20, 36), 'MAGICKBOX       ')
    assert.ok(body.subarray(36, 68).every((b) => b === 0), 'reserved bytes are zero')
  })

  it('cuts an AE title longer than 16 characters', () => {
    const long = encodeAssociateRQ({ ...REQUEST, calledAE: 'ABCDEFGHIJKLMNOPQRST' }).subarray(6)
    assert.equal(long.toString('latin1', 4, 20), 'ABCDEFGHIJKLMNOP')
    assert.equal(long.toString('latin1', 20, 36), 'MAGICKBOX       ')
  })

  it('writes the application context, one context item per proposal and the user information, in order', () => {
    const found = items(body, 68)
    assert.deepEqual(found.map((i) => i.type), [0x10, 0x20, 0x20, 0x50])
    assert.equal(found[0]!.value.toString('latin1'), APPLICATION_CONTEXT)
    const lengths = found.reduce((sum, i) => sum + 4 + i.value.length, 68)
    assert.equal(lengths, body.length, 'the items fill the PDU exactly')
  })

  it('writes each presentation context with its odd id, abstract syntax and transfer syntaxes', () => {
    const contexts = items(body, 68).filter((i) => i.type === 0x20)
    assert.deepEqual(contexts.map((c) => c.value[0]), [1, 3])
    const [, second] = contexts
    assert.deepEqual([...second!.value.subarray(1, 4)], [0, 0, 0])
    assert.deepEqual(
      items(second!.value, 4).map((i) => [i.type, i.value.toString('latin1')]),
      [[0x30, MR], [0x40, EXPLICIT_LE], [0x40, IMPLICIT_LE]],
    )
  })

  it('writes the maximum length, implementation class UID and version name in the user information', () => {
    const user = items(body, 68).find((i) => i.type === 0x50)!
    const sub = items(user.value, 0)
    assert.deepEqual(sub.map((i) => i.type), [0x51, 0x52, 0x55])
    assert.equal(sub[0]!.value.length, 4)
    assert.equal(sub[0]!.value.readUInt32BE(0), 131072)
    assert.equal(sub[1]!.value.toString('latin1'), '1.2.3.4')
    assert.equal(sub[2]!.value.toString('latin1'), 'TEST_1')
  })
})

describe('decodeAssociateAC', () => {
  const context = (id: number, result: number, ts: string) => item(0x21, Buffer.concat([Buffer.from([id, 0, result, 0]), item(0x40, str(ts))]))
  const fixed = Buffer.alloc(68)

  it('reads each context\'s result and accepted transfer syntax, and the maximum PDU length', () => {
    const maxLength = Buffer.alloc(4)
    maxLength.writeUInt32BE(16384, 0)
    const body = Buffer.concat([
      fixed,
      item(0x10, str(APPLICATION_CONTEXT)),
      context(1, 0, `${IMPLICIT_LE}\0`),
      context(3, 4, ''),
      item(0x50, Buffer.concat([item(0x51, maxLength), item(0x52, str('9.9'))])),
    ])
    const ac = decodeAssociateAC(body)
    assert.deepEqual([...ac.contexts], [
      [1, { result: 0, transferSyntax: IMPLICIT_LE }],
      [3, { result: 4, transferSyntax: '' }],
    ])
    assert.equal(ac.maxPduLength, 16384)
  })

  it('reports no maximum length (0) when the acceptor names none', () => {
    assert.equal(decodeAssociateAC(Buffer.concat([fixed, context(1, 0, EXPLICIT_LE)])).maxPduLength, 0)
  })

  it('refuses a body shorter than the fixed fields', () => {
    assert.throws(() => decodeAssociateAC(Buffer.alloc(67)), /A-ASSOCIATE-AC is too short/)
  })

  it('refuses an item that runs past the end or a context item that is too short', () => {
    const cut = Buffer.concat([fixed, context(1, 0, EXPLICIT_LE)])
    assert.throws(() => decodeAssociateAC(cut.subarray(0, cut.length - 2)), PduFormatError)
    assert.throws(() => decodeAssociateAC(Buffer.concat([fixed, item(0x21, Buffer.from([1, 0]))])), /presentation context item is too short/)
  })
})

describe('decodeAssociateRJ and decodeAbort', () => {
  it('reads result, source and reason of a rejection', () => {
    assert.deepEqual(decodeAssociateRJ(Buffer.from([0, 1, 1, 7])), { result: 1, source: 1, reason: 7 })
    assert.throws(() => decodeAssociateRJ(Buffer.from([0, 1, 1])), PduFormatError)
  })

  it('reads source and reason of an abort, and round-trips encodeAbort', () => {
    const abort = encodeAbort(2, 6)
    assert.deepEqual([...abort], [0x07, 0, 0, 0, 0, 4, 0, 0, 2, 6])
    assert.deepEqual(decodeAbort(abort.subarray(6)), { source: 2, reason: 6 })
    assert.deepEqual(decodeAbort(Buffer.alloc(0)), { source: 0, reason: 0 })
  })

  it('encodes A-RELEASE-RQ and -RP as 10-byte PDUs of types 5 and 6', () => {
    assert.deepEqual([...RELEASE_RQ], [0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0])
    assert.deepEqual([...RELEASE_RP], [0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0])
  })
})

describe('P-DATA-TF', () => {
  it('writes a PDU and PDV header whose lengths include the data that follows', () => {
    const head = pDataHeader(5, 0x03, 100)
    assert.deepEqual([...head], [0x04, 0, 0, 0, 0, 106, 0, 0, 0, 102, 5, 3])
  })

  it('decodes every PDV of a body built from pDataHeader', () => {
    const one = Buffer.concat([pDataHeader(1, 0x03, 3), Buffer.from('abc')]).subarray(6)
    const two = Buffer.concat([pDataHeader(3, 0x00, 0), Buffer.alloc(0)]).subarray(6)
    const pdvs = [...decodePdvs(Buffer.concat([one, two]))]
    assert.deepEqual(
      pdvs.map((p) => [p.contextId, p.control, p.data.toString()]),
      [[1, 3, 'abc'], [3, 0, '']],
    )
  })

  it('refuses a PDV length that runs past the body, is below 2, or a cut header', () => {
    const pdv = (length: number, data: Buffer) => {
      const head = Buffer.alloc(6)
      head.writeUInt32BE(length, 0)
      head[4] = 1
      return Buffer.concat([head, data])
    }
    assert.throws(() => [...decodePdvs(pdv(10, Buffer.from('abc')))], /PDV length 10 does not fit the P-DATA-TF/)
    assert.throws(() => [...decodePdvs(pdv(1, Buffer.alloc(0)))], /PDV length 1 does not fit/)
    assert.throws(() => [...decodePdvs(pdv(0xffffffff, Buffer.alloc(8)))], PduFormatError)
    assert.throws(() => [...decodePdvs(Buffer.concat([pdv(2, Buffer.alloc(0)), Buffer.from([0, 0, 0])]))], /PDV header runs past the end/)
  })
})

describe('the SCP side of association', () => {
  it('decodes the A-ASSOCIATE-RQ our own SCU encodes, and answers with an A-ASSOCIATE-AC it can read back', async () => {
    const { decodeAssociateRQ, encodeAssociateAC, encodeAssociateRQ, decodeAssociateAC } = await import('../../../../supervisor/dicom/pdu/pdu-codec.js')
    const rq = encodeAssociateRQ({
      calledAE: 'STREAM',
      callingAE: 'SCANNER',
      contexts: [
        { id: 1, abstractSyntax: '1.2.840.10008.5.1.4.1.1.2', transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] },
        { id: 3, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] },
      ],
      maxPduLength: 32768,
      implementationClassUid: '1.2.3.4',
      implementationVersionName: 'TEST_1',
    })
    const request = decodeAssociateRQ(rq.subarray(6))
    assert.equal(request.calledAE, 'STREAM')
    assert.equal(request.callingAE, 'SCANNER')
    assert.equal(request.maxPduLength, 32768)
    assert.equal(request.implementationClassUid, '1.2.3.4')
    assert.deepEqual(request.contexts[0], { id: 1, abstractSyntax: '1.2.840.10008.5.1.4.1.1.2', transferSyntaxes: ['1.2.840.10008.1.2.1', '1.2.840.10008.1.2'] })
    const ac = encodeAssociateAC(request, [{ id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2.1' }, { id: 3, result: 3, transferSyntax: '1.2.840.10008.1.2' }], { maxPduLength: 131072, implementationClassUid: '9.9', implementationVersionName: 'V' })
    assert.equal(ac[0], 0x02)
    const accept = decodeAssociateAC(ac.subarray(6))
    assert.equal(accept.maxPduLength, 131072)
    assert.deepEqual(accept.contexts.get(1), { result: 0, transferSyntax: '1.2.840.10008.1.2.1' })
    assert.equal(accept.contexts.get(3)!.result, 3)
  })
})
