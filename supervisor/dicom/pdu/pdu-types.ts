/**
 * @module pdu-types
 * Upper-layer PDU types and the values of their fields (PS3.8 9.3).
 */
export const PduType = {
  AssociateRQ: 0x01,
  AssociateAC: 0x02,
  AssociateRJ: 0x03,
  PData: 0x04,
  ReleaseRQ: 0x05,
  ReleaseRP: 0x06,
  Abort: 0x07,
} as const

export const APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1'

/** Presentation context results in an A-ASSOCIATE-AC. */
export const ContextResult = {
  Acceptance: 0,
  UserRejection: 1,
  NoReason: 2,
  AbstractSyntaxNotSupported: 3,
  TransferSyntaxesNotSupported: 4,
} as const

export function contextResultText(result: number): string {
  return (
    ['accepted', 'rejected by the user', 'rejected (no reason)', 'abstract syntax not supported', 'transfer syntaxes not supported'][result] ??
    `result ${result}`
  )
}

// The reason of an A-ASSOCIATE-RJ in words (PS3.8 Table 9-21).
export function rejectText(result: number, source: number, reason: number): string {
  const permanence = result === 1 ? 'permanent' : result === 2 ? 'transient' : `result ${result}`
  const reasons: Record<number, Record<number, string>> = {
    1: { 1: 'no reason given', 2: 'application context name not supported', 3: 'calling AE title not recognized', 7: 'called AE title not recognized' },
    2: { 1: 'no reason given', 2: 'protocol version not supported' },
    3: { 1: 'temporary congestion', 2: 'local limit exceeded' },
  }
  return `${permanence} rejection: ${reasons[source]?.[reason] ?? `source ${source}, reason ${reason}`}`
}

export function abortText(source: number, reason: number): string {
  const who = source === 0 ? 'the destination (service user)' : source === 2 ? 'the destination (service provider)' : `source ${source}`
  const why = ['reason not specified', 'unrecognized PDU', 'unexpected PDU', 'reserved', 'unrecognized PDU parameter', 'unexpected PDU parameter', 'invalid PDU parameter value'][reason] ?? `reason ${reason}`
  return `aborted by ${who}: ${why}`
}
