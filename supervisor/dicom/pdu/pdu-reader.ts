/**
 * @module pdu-reader
 * Cuts a TCP byte stream into PDUs. Chunks are kept in a list and joined once per PDU, so a large
 * PDU arriving in many small chunks costs one copy, not one per chunk.
 */
import { PduFormatError } from './pdu-codec.js'

export interface RawPdu {
  type: number
  body: Buffer
}

export class PduReader {
  private chunks: Buffer[] = []
  private buffered = 0

  constructor(private readonly maxPduLength = 64 * 1024 * 1024) {}

  // Add received bytes; returns the PDUs they complete.
  push(chunk: Buffer): RawPdu[] {
    this.chunks.push(chunk)
    this.buffered += chunk.length
    const out: RawPdu[] = []
    for (;;) {
      if (this.buffered < 6) return out
      const head = this.peek(6)
      const length = head.readUInt32BE(2)
      if (length > this.maxPduLength) throw new PduFormatError(`PDU of ${length} bytes exceeds the limit of ${this.maxPduLength}`)
      if (this.buffered < 6 + length) return out
      const whole = this.take(6 + length)
      out.push({ type: whole.readUInt8(0), body: whole.subarray(6) })
    }
  }

  // The first n bytes, copying only those when they span chunks.
  private peek(n: number): Buffer {
    if (this.chunks[0]!.length >= n) return this.chunks[0]!.subarray(0, n)
    const out = Buffer.alloc(n)
    let filled = 0
    for (const chunk of this.chunks) {
      filled += chunk.copy(out, filled, 0, Math.min(chunk.length, n - filled))
      if (filled === n) break
    }
    return out
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!
    if (first.length >= n) {
      const out = first.subarray(0, n)
      if (first.length === n) this.chunks.shift()
      else this.chunks[0] = first.subarray(n)
      this.buffered -= n
      return out
    }
    const out = Buffer.allocUnsafe(n)
    let filled = 0
    while (filled < n) {
      const chunk = this.chunks[0]!
      const need = n - filled
      if (chunk.length <= need) {
        chunk.copy(out, filled)
        filled += chunk.length
        this.chunks.shift()
      } else {
        chunk.copy(out, filled, 0, need)
        this.chunks[0] = chunk.subarray(need)
        filled += need
      }
    }
    this.buffered -= n
    return out
  }
}
