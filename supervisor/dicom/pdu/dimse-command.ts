/**
 * @module dimse-command
 * DIMSE command sets (group 0000, always Implicit VR Little Endian; PS3.7 E): the C-STORE and
 * C-ECHO requests the SCU sends and the responses it reads.
 */
import { PduFormatError } from './pdu-codec.js'

export const CommandField = {
  CStoreRQ: 0x0001,
  CStoreRSP: 0x8001,
  CEchoRQ: 0x0030,
  CEchoRSP: 0x8030,
} as const

const NO_DATASET = 0x0101
const HAS_DATASET = 0x0000
export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1'

type Element = [tag: number, value: Buffer]

const us = (n: number) => {
  const b = Buffer.alloc(2)
  b.writeUInt16LE(n, 0)
  return b
}
const ui = (uid: string) => Buffer.from(uid.length % 2 ? `${uid}\0` : uid, 'latin1')

function encode(elements: Element[]): Buffer {
  const parts = elements.map(([tag, value]) => {
    const head = Buffer.alloc(8)
    head.writeUInt16LE(tag >>> 16, 0)
    head.writeUInt16LE(tag & 0xffff, 2)
    head.writeUInt32LE(value.length, 4)
    return Buffer.concat([head, value])
  })
  const body = Buffer.concat(parts)
  const groupLength = Buffer.alloc(12)
  groupLength.writeUInt32LE(0x00000000, 0)
  groupLength.writeUInt32LE(4, 4)
  groupLength.writeUInt32LE(body.length, 8)
  return Buffer.concat([groupLength, body])
}

export function cStoreRequest(messageId: number, sopClassUid: string, sopInstanceUid: string): Buffer {
  return encode([
    [0x00000002, ui(sopClassUid)],
    [0x00000100, us(CommandField.CStoreRQ)],
    [0x00000110, us(messageId)],
    [0x00000700, us(0)],
    [0x00000800, us(HAS_DATASET)],
    [0x00001000, ui(sopInstanceUid)],
  ])
}

export function cEchoRequest(messageId: number): Buffer {
  return encode([
    [0x00000002, ui(VERIFICATION_SOP_CLASS)],
    [0x00000100, us(CommandField.CEchoRQ)],
    [0x00000110, us(messageId)],
    [0x00000800, us(NO_DATASET)],
  ])
}

export interface CommandResponse {
  commandField: number
  messageIdBeingRespondedTo: number
  status: number
  errorComment: string
  hasDataset: boolean
}

// Read the fields of a response command set.
export function decodeResponse(command: Buffer): CommandResponse {
  const out: CommandResponse = { commandField: -1, messageIdBeingRespondedTo: -1, status: -1, errorComment: '', hasDataset: false }
  let offset = 0
  while (offset + 8 <= command.length) {
    const tag = ((command.readUInt16LE(offset) << 16) | command.readUInt16LE(offset + 2)) >>> 0
    const length = command.readUInt32LE(offset + 4)
    const value = command.subarray(offset + 8, offset + 8 + length)
    if (value.length !== length) throw new PduFormatError('command element runs past the end of the command set')
    if (tag === 0x00000100 && length >= 2) out.commandField = value.readUInt16LE(0)
    else if (tag === 0x00000120 && length >= 2) out.messageIdBeingRespondedTo = value.readUInt16LE(0)
    else if (tag === 0x00000900 && length >= 2) out.status = value.readUInt16LE(0)
    else if (tag === 0x00000902) out.errorComment = value.toString('latin1').replace(/[\0 ]+$/, '')
    else if (tag === 0x00000800 && length >= 2) out.hasDataset = value.readUInt16LE(0) !== NO_DATASET
    offset += 8 + length
  }
  if (out.commandField < 0 || out.status < 0) throw new PduFormatError('response command set lacks Command Field or Status')
  return out
}

/** Success and warning statuses mean the destination kept the instance (PS3.4 B.2.3). */
export function isStoredStatus(status: number): boolean {
  return status === 0x0000 || status === 0x0001 || (status & 0xf000) === 0xb000
}

export function statusText(status: number): string {
  return `0x${status.toString(16).toUpperCase().padStart(4, '0')}`
}

export interface CommandRequest {
  commandField: number
  messageId: number
  affectedSopClassUid: string
  /** Raw, as sent (NUL and space padding removed, nothing else). */
  affectedSopInstanceUid: string
  hasDataset: boolean
}

// Read the fields of a request command set (C-STORE-RQ, C-ECHO-RQ, …).
export function decodeRequest(command: Buffer): CommandRequest {
  const out: CommandRequest = { commandField: -1, messageId: -1, affectedSopClassUid: '', affectedSopInstanceUid: '', hasDataset: false }
  let offset = 0
  while (offset + 8 <= command.length) {
    const tag = ((command.readUInt16LE(offset) << 16) | command.readUInt16LE(offset + 2)) >>> 0
    const length = command.readUInt32LE(offset + 4)
    if (offset + 8 + length > command.length) throw new PduFormatError('command element runs past the end of the command set')
    const value = command.subarray(offset + 8, offset + 8 + length)
    const text = () => value.toString('latin1').replace(/[\0 ]+$/, '')
    if (tag === 0x00000100 && length >= 2) out.commandField = value.readUInt16LE(0)
    else if (tag === 0x00000110 && length >= 2) out.messageId = value.readUInt16LE(0)
    else if (tag === 0x00000002) out.affectedSopClassUid = text()
    else if (tag === 0x00001000) out.affectedSopInstanceUid = text()
    else if (tag === 0x00000800 && length >= 2) out.hasDataset = value.readUInt16LE(0) !== NO_DATASET
    offset += 8 + length
  }
  if (out.commandField < 0 || out.messageId < 0) throw new PduFormatError('request command set lacks Command Field or Message ID')
  return out
}

// The response to a request: same class and instance, status and (for failures) a comment.
export function responseTo(request: CommandRequest, status: number, errorComment = ''): Buffer {
  const elements: Element[] = [[0x00000002, ui(request.affectedSopClassUid)], [0x00000100, us(request.commandField | 0x8000)], [0x00000120, us(request.messageId)], [0x00000800, us(NO_DATASET)], [0x00000900, us(status)]]
  if (request.affectedSopInstanceUid) elements.push([0x00001000, ui(request.affectedSopInstanceUid)])
  if (errorComment) {
    const comment = errorComment.replace(/[^\x20-\x7e]/g, '?').slice(0, 64)
    elements.push([0x00000902, Buffer.from(comment.length % 2 ? `${comment} ` : comment, 'latin1')])
  }
  elements.sort((a, b) => a[0] - b[0])
  return encode(elements)
}
