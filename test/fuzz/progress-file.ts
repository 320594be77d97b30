/**
 * @module progress-file
 * The input a fuzzing process is running, in a small file the parent can read: the child writes
 * each input (with a count of executions started) before running it, two positioned writes into
 * the page cache. When an execution does not end (a timeout) or the process dies (out of heap),
 * the parent still knows which input did it.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs'

const HEADER = 8

export class ProgressFile {
  private started = 0
  private readonly header = Buffer.alloc(HEADER)
  private fd: number | undefined

  constructor(readonly path: string) {}

  /** Child: this input runs now. */
  publish(input: Buffer): void {
    this.fd ??= openSync(this.path, 'w')
    this.started++
    writeSync(this.fd, input, 0, input.length, HEADER)
    this.header.writeUInt32LE(this.started, 0)
    this.header.writeUInt32LE(input.length, 4)
    writeSync(this.fd, this.header, 0, HEADER, 0)
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
  }

  /** Parent: executions started so far and the input started last. */
  static read(path: string): { started: number; input: Buffer } {
    let fd: number
    try {
      fd = openSync(path, 'r')
    } catch {
      return { started: 0, input: Buffer.alloc(0) }
    }
    try {
      const header = Buffer.alloc(HEADER)
      if (readSync(fd, header, 0, HEADER, 0) < HEADER) return { started: 0, input: Buffer.alloc(0) }
      const input = Buffer.alloc(header.readUInt32LE(4))
      readSync(fd, input, 0, input.length, HEADER)
      return { started: header.readUInt32LE(0), input }
    } finally {
      closeSync(fd)
    }
  }
}
