/**
 * @module instance-writer
 * Receives one C-STORE data set, fragment by fragment, and writes it behind the file meta
 * header into a temp file. `write()` never refuses a chunk (so neither engine ever waits for
 * `drain` mid-PDU); when too many bytes wait for the disk it asks the receiver to pause the
 * socket instead. It keeps the first 64 KiB of the file in memory, so checking the finished
 * instance (its header, and that it is whole) rarely needs to read the file back.
 */
import { EventEmitter } from 'node:events'
import { close, closeSync, fsync, open, readSync, unlink, writev, writevSync, openSync } from 'node:fs'
import type { ByteSource } from '../dicom/byte-source.js'

export interface InstanceWriterOptions {
  /** Called with true when the disk is behind (pause the socket), false when it caught up. */
  onBackpressure?: (behind: boolean) => void
  /** fsync before finish() resolves. @defaultValue false */
  fsync?: boolean
  /** Bytes waiting before backpressure starts. @defaultValue 8 MiB */
  highWaterBytes?: number
  /** Asked before writing once `spaceCheckBytes` piled up: an error to stop with when the disk must not take `bytes` more. */
  checkSpace?: (bytes: number) => Error | undefined
  /** @defaultValue 4 MiB */
  spaceCheckBytes?: number
  /** Largest data set taken; past it the writer stops with `tooLarge()`. */
  maxBytes?: number
  tooLarge?: () => Error
}

const HEAD_BYTES = 64 * 1024
const SYNC_TAIL_BYTES = 1024 * 1024

const openFile = (path: string) => new Promise<number>((resolve, reject) => open(path, 'wx', 0o644, (e, fd) => (e ? reject(e) : resolve(fd))))
const writeAll = (fd: number, buffers: Buffer[]) => new Promise<void>((resolve, reject) => writev(fd, buffers, (e) => (e ? reject(e) : resolve())))

export class InstanceWriter extends EventEmitter {
  private fd: number | undefined
  private readonly opening: Promise<void>
  private queue: Buffer[] = []
  private queuedBytes = 0
  private flushing: Promise<void> | undefined
  private failure: Error | undefined
  private behind = false
  private discarded = false
  private finishing = false
  private sinceSpaceCheck = 0
  private readonly head: Buffer[] = []
  private headBytes = 0
  bytesWritten = 0
  bytesReceived = 0

  constructor(
    readonly path: string,
    header: Buffer,
    private readonly options: InstanceWriterOptions = {},
  ) {
    super()
    this.accept(header)
    this.opening = openFile(path).then(
      (fd) => {
        this.fd = fd
        this.kick()
      },
      (error: Error) => {
        this.failure = error
      },
    )
  }

  // Past the largest instance taken (the lean engine aborts at once; the other answers a failure).
  get overLimit(): boolean {
    return this.options.maxBytes !== undefined && this.bytesReceived > this.options.maxBytes
  }

  private get highWater(): number {
    return this.options.highWaterBytes ?? 8 * 1024 * 1024
  }

  private accept(chunk: Buffer): void {
    this.queue.push(chunk)
    this.queuedBytes += chunk.length
    if (this.headBytes < HEAD_BYTES) {
      const part = chunk.subarray(0, HEAD_BYTES - this.headBytes)
      this.head.push(Buffer.from(part))
      this.headBytes += part.length
    }
  }

  // Take a fragment of the data set; always accepted.
  write(chunk: Buffer): boolean {
    this.bytesReceived += chunk.length
    if (this.failure || this.discarded) return true
    if (this.options.maxBytes !== undefined && this.bytesReceived > this.options.maxBytes) {
      this.failure = this.options.tooLarge?.() ?? new Error('the instance is too large')
      this.queue = []
      if (this.behind) {
        this.behind = false
        this.options.onBackpressure?.(false)
      }
      return true
    }
    this.accept(chunk)
    if (!this.behind && this.queuedBytes > this.highWater) {
      this.behind = true
      this.options.onBackpressure?.(true)
    }
    this.kick()
    return true
  }

  end(): void {}

  private kick(): void {
    if (this.finishing || this.flushing || this.fd === undefined || this.queue.length === 0 || this.failure || this.discarded) return
    this.flushing = this.flushOne().finally(() => {
      this.flushing = undefined
      this.kick()
    })
  }

  // Refuse when the disk must not take the bytes waiting (admission control).
  private spaceCheck(): void {
    if (!this.options.checkSpace || this.sinceSpaceCheck < (this.options.spaceCheckBytes ?? 4 * 1024 * 1024)) return
    const refusal = this.options.checkSpace(this.sinceSpaceCheck)
    this.sinceSpaceCheck = 0
    if (refusal) throw refusal
  }

  private take(): Buffer[] {
    const batch = this.queue
    this.queue = []
    const bytes = batch.reduce((sum, b) => sum + b.length, 0)
    this.sinceSpaceCheck += bytes
    return batch
  }

  private written(batch: Buffer[]): void {
    const bytes = batch.reduce((sum, b) => sum + b.length, 0)
    this.queuedBytes -= bytes
    this.bytesWritten += bytes
    if (this.behind && this.queuedBytes < this.highWater / 4) {
      this.behind = false
      this.options.onBackpressure?.(false)
    }
  }

  // Write what is queued now, in one writev.
  private async flushOne(): Promise<void> {
    const batch = this.take()
    try {
      this.spaceCheck()
      await writeAll(this.fd!, batch)
      this.written(batch)
    } catch (error) {
      this.failure = error as Error
      this.queue = []
      if (this.behind) {
        this.behind = false
        this.options.onBackpressure?.(false)
      }
    }
  }

  /**
   * Wait until every byte is written (and synced when asked), then close; rejects on a write
   * error. A small tail is written synchronously: it saves a trip through the thread pool on
   * the path that holds up the sender's next image.
   */
  async finish(): Promise<void> {
    await this.opening
    this.finishing = true
    while (this.flushing) await this.flushing
    while (!this.failure && this.fd !== undefined && this.queue.length > 0) {
      const sync = this.queuedBytes <= SYNC_TAIL_BYTES
      const batch = this.take()
      try {
        this.spaceCheck()
        if (sync) writevSync(this.fd, batch)
        else await writeAll(this.fd, batch)
        this.written(batch)
      } catch (error) {
        this.failure = error as Error
      }
    }
    const fd = this.fd
    this.fd = undefined
    if (fd !== undefined) {
      if (!this.failure && this.options.fsync) {
        await new Promise<void>((resolve) => fsync(fd, (e) => ((this.failure ??= e ?? undefined), resolve())))
      }
      closeSync(fd)
    }
    if (this.failure) throw this.failure
  }

  /**
   * The finished file as a byte source: reads inside the first 64 KiB come from memory, the rest
   * from the file. close() it when done.
   */
  source(): ByteSource & { close(): void } {
    const head = Buffer.concat(this.head, this.headBytes)
    const length = this.bytesWritten
    const path = this.path
    let fd: number | undefined
    return {
      length,
      read(offset: number, size: number): Buffer {
        if (offset + size <= head.length) return head.subarray(offset, offset + size)
        fd ??= openSync(path, 'r')
        const out = Buffer.allocUnsafe(size)
        readSync(fd, out, 0, size, offset)
        return out
      },
      close() {
        if (fd !== undefined) closeSync(fd)
        fd = undefined
      },
    }
  }

  // Stop, close and delete the temp file (abort, failure). Safe to call more than once.
  async discard(): Promise<void> {
    if (this.discarded) return
    this.discarded = true
    this.queue = []
    await this.opening
    await this.flushing?.catch(() => undefined)
    const fd = this.fd
    this.fd = undefined
    if (fd !== undefined) await new Promise<void>((resolve) => close(fd, () => resolve()))
    await new Promise<void>((resolve) => unlink(this.path, () => resolve()))
    if (this.behind) {
      this.behind = false
      this.options.onBackpressure?.(false)
    }
  }
}
