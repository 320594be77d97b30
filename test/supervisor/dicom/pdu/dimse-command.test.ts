/**
 * DIMSE command sets (group 0000, Implicit VR Little Endian): the requests the SCU sends and the
 * responses it reads.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  cEchoRequest,
  CommandField,
  cStoreRequest,
  decodeResponse,
  isStoredStatus,
  statusText,
  VERIFICATION_SOP_CLASS,
} from '../../../../supervisor/dicom/pdu/dimse-command.js'
import { PduFormatError } from '../../../../supervisor/dicom/pdu/pdu-codec.js'

const CT = '1.2.840.10008.5.1.4.1.1.2'
const INSTANCE = '1.2.3.4.5.67' // even length: no padding

// The elements of an implicit-LE command set, in order: [tag, value].
function elements(command: Buffer): [number, Buffer][] {
  const out: [number, Buffer][] = []
  for (let offset = 0; offset < command.length; ) {
    const tag = ((command.readUInt16LE(offset) << 16) | command.readUInt16LE(offset + 2)) >>> 0
    const length = command.readUInt32LE(offset + 4)
    out.push([tag, command.subarray(offset + 8, offset + 8 + length)])
    offset += 8 + length
  }
  return out
}
const us = (value: Buffer) => value.readUInt16LE(0)

// A response command set of the given elements, as a peer would send it.
function response(fields: [number, Buffer][]): Buffer {
  return Buffer.concat(
    fields.map(([tag, value]) => {
      const head = Buffer.alloc(8)
      head.writeUInt16LE(tag >>> 16, 0)
      head.writeUInt16LE(tag & 0xffff, 2)
      head.writeUInt32LE(value.length, 4)
      return Buffer.concat([head, value])
    }),
  )
}
const u16 = (n: number) => Buffer.from([n & 0xff, n >> 8])

describe('cStoreRequest', () => {
  const command = cStoreRequest(7, CT, INSTANCE)
  const found = new Map(elements(command))

  it('starts with a group length that counts every element after it', () => {
    const [first] = elements(command)
    assert.equal(first![0], 0x00000000)
    assert.equal(first![1].readUInt32LE(0), command.length - 12)
  })

  it('holds the C-STORE-RQ fields in ascending tag order', () => {
    assert.deepEqual(elements(command).map(([tag]) => tag), [0x0000, 0x0002, 0x0100, 0x0110, 0x0700, 0x0800, 0x1000])
  })

  it('decodes back to the class, instance, command field, message id, priority and data set flag', () => {
    assert.equal(found.get(0x0002)!.toString('latin1'), `${CT}\0`)
    assert.equal(found.get(0x1000)!.toString('latin1'), INSTANCE)
    assert.equal(us(found.get(0x0100)!), CommandField.CStoreRQ)
    assert.equal(us(found.get(0x0110)!), 7)
    assert.equal(us(found.get(0x0700)!), 0)
    assert.notEqual(us(found.get(0x0800)!), 0x0101, 'a C-STORE-RQ carries a data set')
  })

  it('pads every UID to even length', () => {
    for (const tag of [0x0002, 0x1000]) assert.equal(found.get(tag)!.length % 2, 0)
  })
})

describe('cEchoRequest', () => {
  it('asks for verification with no data set', () => {
    const found = new Map(elements(cEchoRequest(3)))
    assert.equal(found.get(0x0002)!.toString('latin1').replace(/\0$/, ''), VERIFICATION_SOP_CLASS)
    assert.equal(us(found.get(0x0100)!), CommandField.CEchoRQ)
    assert.equal(us(found.get(0x0110)!), 3)
    assert.equal(us(found.get(0x0800)!), 0x0101)
    assert.equal(found.get(0x0000)!.readUInt32LE(0), cEchoRequest(3).length - 12)
  })
})

describe('decodeResponse', () => {
  it('reads command field, message id, status, error comment and the data set flag', () => {
    const decoded = decodeResponse(
      response([
        [0x0000, Buffer.from([0, 0, 0, 0])],
        [0x0002, Buffer.from(`${CT}\0`)],
        [0x0100, u16(CommandField.CStoreRSP)],
        [0x0120, u16(7)],
        [0x0800, u16(0x0101)],
        [0x0900, u16(0xa700)],
        [0x0902, Buffer.from('Out of resources\0')],
      ]),
    )
    assert.deepEqual(decoded, { commandField: 0x8001, messageIdBeingRespondedTo: 7, status: 0xa700, errorComment: 'Out of resources', hasDataset: false })
  })

  it('leaves the error comment empty when there is none', () => {
    const decoded = decodeResponse(response([[0x0100, u16(CommandField.CEchoRSP)], [0x0900, u16(0)]]))
    assert.equal(decoded.errorComment, '')
    assert.equal(decoded.status, 0)
    assert.equal(decoded.messageIdBeingRespondedTo, -1)
  })

  it('refuses a response without a status or command field', () => {
    assert.throws(() => decodeResponse(response([[0x0100, u16(0x8001)]])), /lacks Command Field or Status/)
    assert.throws(() => decodeResponse(response([[0x0900, u16(0)]])), PduFormatError)
    assert.throws(() => decodeResponse(cStoreRequest(1, CT, INSTANCE)), PduFormatError, 'a request has no status')
  })

  it('refuses an element that runs past the end of the command set', () => {
    const whole = response([[0x0100, u16(0x8001)], [0x0900, u16(0)], [0x0902, Buffer.from('comment')]])
    assert.throws(() => decodeResponse(whole.subarray(0, whole.length - 2)), /command element runs past the end/)
  })
})

describe('isStoredStatus', () => {
  it('counts success and the warning range 0xB000-0xBFFF as stored', () => {
    for (const status of [0x0000, 0xb000, 0xb007, 0xb006, 0xbfff]) assert.equal(isStoredStatus(status), true, statusText(status))
  })

  it('counts refusals, errors and cancel as not stored', () => {
    for (const status of [0xa700, 0xa900, 0xc000, 0xcfff, 0xfe00, 0x0110, 0x0122]) assert.equal(isStoredStatus(status), false, statusText(status))
  })
})

describe('statusText', () => {
  it('writes a status as four upper-case hex digits', () => {
    assert.equal(statusText(0xb007), '0xB007')
    assert.equal(statusText(0), '0x0000')
  })
})

describe('requests and responses on the SCP side', () => {
  it('reads a C-STORE-RQ raw (a UID is not cleaned up) and answers with the same class, instance and message id', async () => {
    const { cStoreRequest, decodeRequest, responseTo, decodeResponse } = await import('../../../../supervisor/dicom/pdu/dimse-command.js')
    const request = decodeRequest(cStoreRequest(42, '1.2.840.10008.5.1.4.1.1.2', '1.2.3/../4'))
    assert.deepEqual(request, { commandField: 1, messageId: 42, affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.2', affectedSopInstanceUid: '1.2.3/../4', hasDataset: true })
    const response = decodeResponse(responseTo(request, 0xc000, 'malformed data set: ends inside (7FE0,0010)'))
    assert.equal(response.commandField, 0x8001)
    assert.equal(response.messageIdBeingRespondedTo, 42)
    assert.equal(response.status, 0xc000)
    assert.match(response.errorComment, /^malformed data set/)
    assert.equal(response.hasDataset, false)
  })
})
