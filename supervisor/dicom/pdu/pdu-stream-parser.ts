/**
 * @module pdu-stream-parser
 * Cuts a receiving TCP stream into PDUs without copying the bulk of it: the value of every PDV
 * of a P-DATA-TF is handed on as slices of the socket's own chunks, as they arrive, so a data set
 * goes from the network to the file with no copy in JavaScript. Other PDUs (association,
 * release, abort) are small and handed on whole.
 */
import { PduFormatError } from './pdu-codec.js'
import { PduType } from './pdu-types.js'

export interface PduStreamHandler {
  /** A whole non-P-DATA PDU (its body after the 6-byte header). */
  pdu(type: number, body: Buffer): void
  /** A PDV begins (its value follows in `pdvData` calls). */
  pdvStart(contextId: number, control: number, length: number): void
  /** Part of the current PDV's value; `end` on the part that completes it. */
  pdvData(slice: Buffer, end: boolean): void
}

type Phase = 'pdu-header' | 'pdu-body' | 'pdv-header' | 'pdv-value'

export class PduStreamParser {
  private phase: Phase = 'pdu-header'
  private readonly header = Buffer.alloc(6)
  private headerFill = 0
  private type = 0
  /** Bytes of the current PDU body not yet consumed. */
  private pduLeft = 0
  private bodyParts: Buffer[] = []
  private bodyFill = 0
  /** Bytes of the current PDV value not yet handed on. */
  private pdvLeft = 0

  constructor(
    private readonly handler: PduStreamHandler,
    /** The largest PDU accepted (P-DATA); association PDUs are capped at 64 KiB. */
    private readonly maxPduLength: number,
  ) {}

  // Feed received bytes; throws PduFormatError on a malformed stream (the caller aborts).
  push(chunk: Buffer): void {
    let at = 0
    while (at < chunk.length) {
      if (this.phase === 'pdu-header' || this.phase === 'pdv-header') {
        const need = 6 - this.headerFill
        const take = Math.min(need, chunk.length - at)
        chunk.copy(this.header, this.headerFill, at, at + take)
        this.headerFill += take
        at += take
        if (this.headerFill < 6) return
        this.headerFill = 0
        if (this.phase === 'pdu-header') this.startPdu()
        else this.startPdv()
        continue
      }
      if (this.phase === 'pdu-body') {
        const take = Math.min(this.pduLeft - this.bodyFill, chunk.length - at)
        this.bodyParts.push(chunk.subarray(at, at + take))
        this.bodyFill += take
        at += take
        if (this.bodyFill === this.pduLeft) {
          const body = this.bodyParts.length === 1 ? this.bodyParts[0]! : Buffer.concat(this.bodyParts, this.bodyFill)
          this.bodyParts = []
          this.bodyFill = 0
          this.pduLeft = 0
          this.phase = 'pdu-header'
          this.handler.pdu(this.type, body)
        }
        continue
      }
      // pdv-value
      const take = Math.min(this.pdvLeft, chunk.length - at)
      this.pdvLeft -= take
      this.pduLeft -= take
      const slice = chunk.subarray(at, at + take)
      at += take
      this.handler.pdvData(slice, this.pdvLeft === 0)
      if (this.pdvLeft === 0) this.phase = this.afterPdv()
    }
  }

  private startPdu(): void {
    this.type = this.header.readUInt8(0)
    const length = this.header.readUInt32BE(2)
    if (this.type < PduType.AssociateRQ || this.type > PduType.Abort) throw new PduFormatError(`unknown PDU type 0x${this.type.toString(16)}`)
    if (this.type === PduType.PData) {
      if (length > this.maxPduLength) throw new PduFormatError(`P-DATA-TF of ${length} bytes is larger than the ${this.maxPduLength} agreed`)
      if (length < 6) throw new PduFormatError(`P-DATA-TF of ${length} bytes holds no PDV`)
      this.pduLeft = length
      this.phase = 'pdv-header'
      return
    }
    if (length > 65536) throw new PduFormatError(`PDU type ${this.type} of ${length} bytes is too large`)
    this.pduLeft = length
    this.phase = 'pdu-body'
    if (length === 0) {
      this.phase = 'pdu-header'
      this.handler.pdu(this.type, Buffer.alloc(0))
    }
  }

  private startPdv(): void {
    const length = this.header.readUInt32BE(0)
    if (length < 2 || length + 4 > this.pduLeft) throw new PduFormatError(`PDV length ${length} does not fit the P-DATA-TF (${this.pduLeft} bytes left)`)
    this.pduLeft -= 6
    this.pdvLeft = length - 2
    this.handler.pdvStart(this.header.readUInt8(4), this.header.readUInt8(5), this.pdvLeft)
    if (this.pdvLeft === 0) {
      this.handler.pdvData(Buffer.alloc(0), true)
      this.phase = this.afterPdv()
    } else this.phase = 'pdv-value'
  }

  // After a PDV: the next PDU, or another PDV of this one, which needs room for its 6-byte header
  // (else the header would be read from the bytes of the next PDU).
  private afterPdv(): Phase {
    if (this.pduLeft === 0) return 'pdu-header'
    if (this.pduLeft < 6) throw new PduFormatError(`P-DATA-TF ends with ${this.pduLeft} bytes, too few for a PDV`)
    return 'pdv-header'
  }
}
