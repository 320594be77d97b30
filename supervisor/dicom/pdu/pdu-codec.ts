/**
 * @module pdu-codec
 * Encoding and decoding of the upper-layer PDUs the box's SCU needs (PS3.8 9.3): A-ASSOCIATE-RQ
 * out, A-ASSOCIATE-AC/RJ in, P-DATA-TF both ways, A-RELEASE and A-ABORT.
 */
import { APPLICATION_CONTEXT, PduType } from './pdu-types.js'

export class PduFormatError extends Error {
  override name = 'PduFormatError'
}

export interface ProposedContext {
  id: number
  abstractSyntax: string
  transferSyntaxes: string[]
}

export interface AssociateRequest {
  calledAE: string
  callingAE: string
  contexts: ProposedContext[]
  maxPduLength: number
  implementationClassUid: string
  implementationVersionName: string
}

function aeField(ae: string): Buffer {
  const field = Buffer.alloc(16, 0x20)
  field.write(ae.slice(0, 16), 0, 'latin1')
  return field
}

function item(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(4)
  head.writeUInt8(type, 0)
  head.writeUInt16BE(body.length, 2)
  return Buffer.concat([head, body])
}

function pdu(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(6)
  head.writeUInt8(type, 0)
  head.writeUInt32BE(body.length, 2)
  return Buffer.concat([head, body])
}

export function encodeAssociateRQ(rq: AssociateRequest): Buffer {
  const fixed = Buffer.alloc(68)
  fixed.writeUInt16BE(1, 0) // protocol version
  aeField(rq.calledAE).copy(fixed, 4)
  aeField(rq.callingAE).copy(fixed, 20)
  const contexts = rq.contexts.map((pc) => {
    const head = Buffer.from([pc.id, 0, 0, 0])
    return item(0x20, Buffer.concat([head, item(0x30, Buffer.from(pc.abstractSyntax, 'latin1')), ...pc.transferSyntaxes.map((ts) => item(0x40, Buffer.from(ts, 'latin1')))]))
  })
  const maxLength = Buffer.alloc(4)
  maxLength.writeUInt32BE(rq.maxPduLength, 0)
  const userInfo = item(
    0x50,
    Buffer.concat([item(0x51, maxLength), item(0x52, Buffer.from(rq.implementationClassUid, 'latin1')), item(0x55, Buffer.from(rq.implementationVersionName, 'latin1'))]),
  )
  return pdu(PduType.AssociateRQ, Buffer.concat([fixed, item(0x10, Buffer.from(APPLICATION_CONTEXT, 'latin1')), ...contexts, userInfo]))
}

export interface AssociateAccept {
  /** Context id → result and accepted transfer syntax. */
  contexts: Map<number, { result: number; transferSyntax: string }>
  /** The largest PDU the acceptor takes (0 = no limit). */
  maxPduLength: number
}

const uidText = (b: Buffer) => b.toString('latin1').replace(/[\0 ]+$/, '')

// Walk the variable items of an association PDU body.
function* items(body: Buffer, from: number): Generator<{ type: number; value: Buffer }> {
  let offset = from
  while (offset + 4 <= body.length) {
    const type = body.readUInt8(offset)
    const length = body.readUInt16BE(offset + 2)
    if (offset + 4 + length > body.length) throw new PduFormatError(`item 0x${type.toString(16)} runs past the end of the PDU`)
    yield { type, value: body.subarray(offset + 4, offset + 4 + length) }
    offset += 4 + length
  }
}

export function decodeAssociateAC(body: Buffer): AssociateAccept {
  if (body.length < 68) throw new PduFormatError('A-ASSOCIATE-AC is too short')
  const contexts = new Map<number, { result: number; transferSyntax: string }>()
  let maxPduLength = 0
  for (const { type, value } of items(body, 68)) {
    if (type === 0x21) {
      if (value.length < 4) throw new PduFormatError('presentation context item is too short')
      let transferSyntax = ''
      for (const sub of items(value, 4)) if (sub.type === 0x40) transferSyntax = uidText(sub.value)
      contexts.set(value.readUInt8(0), { result: value.readUInt8(2), transferSyntax })
    } else if (type === 0x50) {
      for (const sub of items(value, 0)) if (sub.type === 0x51 && sub.value.length >= 4) maxPduLength = sub.value.readUInt32BE(0)
    }
  }
  return { contexts, maxPduLength }
}

export function decodeAssociateRJ(body: Buffer): { result: number; source: number; reason: number } {
  if (body.length < 4) throw new PduFormatError('A-ASSOCIATE-RJ is too short')
  return { result: body.readUInt8(1), source: body.readUInt8(2), reason: body.readUInt8(3) }
}

export function decodeAbort(body: Buffer): { source: number; reason: number } {
  return { source: body.length >= 3 ? body.readUInt8(2) : 0, reason: body.length >= 4 ? body.readUInt8(3) : 0 }
}

export const RELEASE_RQ = pdu(PduType.ReleaseRQ, Buffer.alloc(4))
export const RELEASE_RP = pdu(PduType.ReleaseRP, Buffer.alloc(4))

export function encodeAbort(source = 0, reason = 0): Buffer {
  return pdu(PduType.Abort, Buffer.from([0, 0, source, reason]))
}

/** Message control header bits of a PDV. */
export const PDV_COMMAND = 0x01
export const PDV_LAST = 0x02

// The PDU header and PDV header for one PDV of `dataLength` bytes (the data follows separately).
export function pDataHeader(contextId: number, control: number, dataLength: number): Buffer {
  const head = Buffer.alloc(12)
  head.writeUInt8(PduType.PData, 0)
  head.writeUInt32BE(dataLength + 6, 2)
  head.writeUInt32BE(dataLength + 2, 6)
  head.writeUInt8(contextId, 10)
  head.writeUInt8(control, 11)
  return head
}

export interface Pdv {
  contextId: number
  control: number
  data: Buffer
}

export function* decodePdvs(body: Buffer): Generator<Pdv> {
  let offset = 0
  while (offset < body.length) {
    if (offset + 6 > body.length) throw new PduFormatError('PDV header runs past the end of the P-DATA-TF')
    const length = body.readUInt32BE(offset)
    if (length < 2 || offset + 4 + length > body.length) throw new PduFormatError(`PDV length ${length} does not fit the P-DATA-TF`)
    yield { contextId: body.readUInt8(offset + 4), control: body.readUInt8(offset + 5), data: body.subarray(offset + 6, offset + 4 + length) }
    offset += 4 + length
  }
}

export interface RequestedContext {
  id: number
  abstractSyntax: string
  transferSyntaxes: string[]
}

export interface AssociateRequestIn {
  protocolVersion: number
  calledAE: string
  callingAE: string
  applicationContext: string
  contexts: RequestedContext[]
  /** The largest PDU the requestor takes (0 = no limit). */
  maxPduLength: number
  implementationClassUid: string
  implementationVersionName: string
}

const aeText = (b: Buffer) => b.toString('latin1').replace(/^ +| +$/g, '')

// Decode an A-ASSOCIATE-RQ body (after the 6-byte PDU header).
export function decodeAssociateRQ(body: Buffer): AssociateRequestIn {
  if (body.length < 68) throw new PduFormatError('A-ASSOCIATE-RQ is too short')
  const request: AssociateRequestIn = {
    protocolVersion: body.readUInt16BE(0),
    calledAE: aeText(body.subarray(4, 20)),
    callingAE: aeText(body.subarray(20, 36)),
    applicationContext: '',
    contexts: [],
    maxPduLength: 0,
    implementationClassUid: '',
    implementationVersionName: '',
  }
  for (const { type, value } of items(body, 68)) {
    if (type === 0x10) request.applicationContext = uidText(value)
    else if (type === 0x20) {
      if (value.length < 4) throw new PduFormatError('presentation context item is too short')
      const context: RequestedContext = { id: value.readUInt8(0), abstractSyntax: '', transferSyntaxes: [] }
      for (const sub of items(value, 4)) {
        if (sub.type === 0x30) context.abstractSyntax = uidText(sub.value)
        else if (sub.type === 0x40) context.transferSyntaxes.push(uidText(sub.value))
      }
      request.contexts.push(context)
    } else if (type === 0x50) {
      for (const sub of items(value, 0)) {
        if (sub.type === 0x51 && sub.value.length >= 4) request.maxPduLength = sub.value.readUInt32BE(0)
        else if (sub.type === 0x52) request.implementationClassUid = uidText(sub.value)
        else if (sub.type === 0x55) request.implementationVersionName = sub.value.toString('latin1').trim()
      }
    }
  }
  return request
}

export interface AcceptedContext {
  id: number
  /** 0 acceptance, 3 abstract syntax not supported, 4 transfer syntaxes not supported. */
  result: number
  transferSyntax: string
}

// Encode an A-ASSOCIATE-AC answering `request`.
export function encodeAssociateAC(
  request: Pick<AssociateRequestIn, 'calledAE' | 'callingAE'>,
  contexts: AcceptedContext[],
  options: { maxPduLength: number; implementationClassUid: string; implementationVersionName: string },
): Buffer {
  const fixed = Buffer.alloc(68)
  fixed.writeUInt16BE(1, 0)
  aeField(request.calledAE).copy(fixed, 4)
  aeField(request.callingAE).copy(fixed, 20)
  const items_ = contexts.map((pc) => item(0x21, Buffer.concat([Buffer.from([pc.id, 0, pc.result, 0]), item(0x40, Buffer.from(pc.transferSyntax, 'latin1'))])))
  const maxLength = Buffer.alloc(4)
  maxLength.writeUInt32BE(options.maxPduLength, 0)
  const userInfo = item(
    0x50,
    Buffer.concat([item(0x51, maxLength), item(0x52, Buffer.from(options.implementationClassUid, 'latin1')), item(0x55, Buffer.from(options.implementationVersionName, 'latin1'))]),
  )
  return pdu(PduType.AssociateAC, Buffer.concat([fixed, item(0x10, Buffer.from(APPLICATION_CONTEXT, 'latin1')), ...items_, userInfo]))
}

// Encode an A-ASSOCIATE-RJ (result 1 permanent / 2 transient; source and reason per PS3.8 Table 9-21).
export function encodeAssociateRJ(result: number, source: number, reason: number): Buffer {
  return pdu(PduType.AssociateRJ, Buffer.from([0, result, source, reason]))
}
