/**
 * The receiver's streaming PDU parser: the same PDUs and PDV bytes whichever way the stream is
 * cut, value bytes handed on as slices, and malformed streams refused.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { encodeAbort, encodeAssociateRQ, pDataHeader, PduFormatError, PDV_COMMAND, PDV_LAST, RELEASE_RQ } from '../../../../supervisor/dicom/pdu/pdu-codec.js'
import { PduStreamParser } from '../../../../supervisor/dicom/pdu/pdu-stream-parser.js'

function record() {
  const events: string[] = []
  const data = new Map<number, Buffer[]>()
  let current = 0
  const parser = new PduStreamParser(
    {
      pdu: (type, body) => events.push(`pdu ${type} ${body.length}`),
      pdvStart: (ctx, control, length) => {
        current++
        data.set(current, [])
        events.push(`pdv ${ctx} ${control} ${length}`)
      },
      pdvData: (slice, end) => {
        data.get(current)!.push(Buffer.from(slice))
        if (end) events.push(`end ${Buffer.concat(data.get(current)!).toString('hex')}`)
      },
    },
    1024,
  )
  return { parser, events }
}

const pdata = (ctx: number, control: number, value: Buffer) => Buffer.concat([pDataHeader(ctx, control, value.length), value])
const stream = Buffer.concat([
  encodeAssociateRQ({ calledAE: 'A', callingAE: 'B', contexts: [{ id: 1, abstractSyntax: '1.2', transferSyntaxes: ['1.2.840.10008.1.2'] }], maxPduLength: 16384, implementationClassUid: '1.2.3', implementationVersionName: 'X' }),
  pdata(1, PDV_COMMAND | PDV_LAST, Buffer.from('0102', 'hex')),
  pdata(1, 0, Buffer.from('aabbccdd', 'hex')),
  pdata(1, PDV_LAST, Buffer.alloc(0)),
  RELEASE_RQ,
  encodeAbort(0, 0),
])

describe('PduStreamParser', () => {
  it('gives the same events whether the stream comes whole, byte by byte, or cut anywhere', () => {
    const whole = record()
    whole.parser.push(stream)
    assert.deepEqual(whole.events.slice(1), ['pdv 1 3 2', 'end 0102', 'pdv 1 0 4', 'end aabbccdd', 'pdv 1 2 0', 'end ', 'pdu 5 4', 'pdu 7 4'])
    for (let cut = 1; cut < stream.length; cut++) {
      const r = record()
      r.parser.push(stream.subarray(0, cut))
      r.parser.push(stream.subarray(cut))
      assert.deepEqual(r.events, whole.events, `cut at ${cut}`)
    }
    const bytewise = record()
    for (let i = 0; i < stream.length; i++) bytewise.parser.push(stream.subarray(i, i + 1))
    assert.deepEqual(bytewise.events, whole.events)
  })

  it('hands PDV values on as slices of the chunk, not copies', () => {
    const value = Buffer.alloc(100, 7)
    const chunk = pdata(1, 0, value)
    const slices: Buffer[] = []
    const parser = new PduStreamParser({ pdu: () => undefined, pdvStart: () => undefined, pdvData: (slice) => slices.push(slice) }, 1024)
    parser.push(chunk)
    assert.equal(slices[0]!.buffer, chunk.buffer, 'same memory as the chunk')
  })

  it('refuses a P-DATA-TF larger than agreed, a PDV that does not fit, and an unknown PDU type', () => {
    assert.throws(() => record().parser.push(pdata(1, 0, Buffer.alloc(2000))), PduFormatError)
    const bad = pdata(1, 0, Buffer.alloc(10))
    bad.writeUInt32BE(500, 6)
    assert.throws(() => record().parser.push(bad), /PDV length 500 does not fit/)
    assert.throws(() => record().parser.push(Buffer.from([0x09, 0, 0, 0, 0, 0])), /unknown PDU type 0x9/)
    assert.throws(() => record().parser.push(Buffer.from([0x01, 0, 0, 1, 0, 1])), /too large/)
  })

  it('refuses a P-DATA-TF whose last bytes are too few for another PDV as soon as its PDV ends (found by fuzzing)', () => {
    // P-DATA-TF of 8 bytes: a PDV of 2 (context and control only), then 2 bytes that cannot be a PDV.
    const tail = Buffer.from('04000000000800000002010300 00'.replace(/ /g, ''), 'hex')
    const r = record()
    assert.throws(() => r.parser.push(tail), /P-DATA-TF ends with 2 bytes, too few for a PDV/)
    assert.deepEqual(r.events, ['pdv 1 3 0', 'end '])
  })
})
