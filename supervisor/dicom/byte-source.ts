/**
 * @module byte-source
 * Random access to the bytes of a data set, from memory or from a file (read in small blocks, so
 * walking a large file reads only its element headers).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'

export interface ByteSource {
  readonly length: number
  /** Exactly `length` bytes at `offset`; the caller checks the range first. */
  read(offset: number, length: number): Buffer
}

export class BufferSource implements ByteSource {
  constructor(private readonly buffer: Buffer) {}
  get length(): number {
    return this.buffer.length
  }
  read(offset: number, length: number): Buffer {
    return this.buffer.subarray(offset, offset + length)
  }
}

const BLOCK = 16 * 1024

// A file read through a one-block cache; close() when done.
export class FileSource implements ByteSource {
  readonly length: number
  private readonly fd: number
  private blockStart = -1
  private block = Buffer.alloc(0)

  constructor(path: string) {
    this.fd = openSync(path, 'r')
    this.length = fstatSync(this.fd).size
  }

  read(offset: number, length: number): Buffer {
    if (offset >= this.blockStart && offset + length <= this.blockStart + this.block.length) {
      return this.block.subarray(offset - this.blockStart, offset - this.blockStart + length)
    }
    if (length > BLOCK) {
      const out = Buffer.allocUnsafe(length)
      readSync(this.fd, out, 0, length, offset)
      return out
    }
    const size = Math.min(BLOCK, this.length - offset)
    const block = Buffer.allocUnsafe(size)
    const got = readSync(this.fd, block, 0, size, offset)
    this.block = block.subarray(0, got)
    this.blockStart = offset
    return this.block.subarray(0, length)
  }

  close(): void {
    closeSync(this.fd)
  }
}
