/**
 * @module instance-writer
 * Receives one C-STORE data set from dcmjs-dimse, fragment by fragment, and writes it behind the
 * file meta header into a temp file. It stands in for the Writable the library asks for:
 * `write()` never refuses a chunk (so the library never awaits `drain` and cannot interleave
 * PDUs); instead, when too many bytes wait for the disk, it asks the receiver to pause the socket.
 */
import { EventEmitter } from 'node:events'
import { open, unlink, type FileHandle } from 'node:fs/promises'

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
}

export class InstanceWriter extends EventEmitter {
  private handle: FileHandle | undefined
  private readonly opening: Promise<void>
  private queue: Buffer[] = []
  private queuedBytes = 0
  private flushing: Promise<void> | undefined
  private failure: Error | undefined
  private ended = false
  private behind = false
  private discarded = false
  private sinceSpaceCheck = 0
  bytesReceived = 0

  constructor(
    readonly path: string,
    header: Buffer,
    private readonly options: InstanceWriterOptions = {},
  ) {
    super()
    this.queue.push(header)
    this.queuedBytes = header.length
    this.opening = open(path, 'wx', 0o644).then(
      (handle) => {
        this.handle = handle
        this.kick()
      },
      (error: Error) => {
        this.failure = error
      },
    )
  }

  // Take a fragment of the data set; always accepted.
  write(chunk: Buffer): boolean {
    this.bytesReceived += chunk.length
    if (this.failure || this.discarded || this.ended) return true
    this.queue.push(chunk)
    this.queuedBytes += chunk.length
    if (!this.behind && this.queuedBytes > (this.options.highWaterBytes ?? 8 * 1024 * 1024)) {
      this.behind = true
      this.options.onBackpressure?.(true)
    }
    this.kick()
    return true
  }

  end(): void {
    this.ended = true
  }

  private kick(): void {
    if (this.flushing || !this.handle || this.queue.length === 0) return
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined
      if (this.queue.length > 0 && !this.failure) this.kick()
    })
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0 && !this.failure && this.handle) {
      const batch = this.queue
      this.queue = []
      try {
        this.sinceSpaceCheck += batch.reduce((sum, b) => sum + b.length, 0)
        if (this.options.checkSpace && this.sinceSpaceCheck >= (this.options.spaceCheckBytes ?? 4 * 1024 * 1024)) {
          const refusal = this.options.checkSpace(this.sinceSpaceCheck)
          this.sinceSpaceCheck = 0
          if (refusal) throw refusal
        }
        await this.handle.writev(batch)
      } catch (error) {
        this.failure = error as Error
        this.queue = []
      }
      this.queuedBytes -= batch.reduce((sum, b) => sum + b.length, 0)
      if (this.behind && this.queuedBytes < (this.options.highWaterBytes ?? 8 * 1024 * 1024) / 4) {
        this.behind = false
        this.options.onBackpressure?.(false)
      }
    }
    if (this.failure && this.behind) {
      this.behind = false
      this.options.onBackpressure?.(false)
    }
  }

  // Wait until every byte is written (and synced when asked), then close; rejects on a write error.
  async finish(): Promise<void> {
    await this.opening
    while (this.flushing || (this.queue.length > 0 && !this.failure)) {
      this.kick()
      await this.flushing
    }
    const handle = this.handle
    this.handle = undefined
    try {
      if (!this.failure && handle && this.options.fsync) await handle.sync()
    } catch (error) {
      this.failure = error as Error
    } finally {
      await handle?.close().catch(() => undefined)
    }
    if (this.failure) throw this.failure
  }

  // Stop, close and delete the temp file (abort, failure). Safe to call more than once.
  async discard(): Promise<void> {
    if (this.discarded) return
    this.discarded = true
    this.queue = []
    await this.opening
    await this.flushing?.catch(() => undefined)
    const handle = this.handle
    this.handle = undefined
    await handle?.close().catch(() => undefined)
    await unlink(this.path).catch(() => undefined)
    if (this.behind) {
      this.behind = false
      this.options.onBackpressure?.(false)
    }
  }
}
