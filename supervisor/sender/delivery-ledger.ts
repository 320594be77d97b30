/**
 * @module delivery-ledger
 * Which files a destination has acknowledged, kept per delivery in
 * `deliveries/<id>.acked.jsonl` (one line per acknowledged file, appended as it happens), so a
 * retry or a restart never sends an instance twice to a destination that already took it.
 * The failures of the last attempt are in `deliveries/<id>.failures.json`.
 */
import { appendFileSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DELIVERIES_DIR } from '../config/data-paths.js'
import { writeJsonAtomic } from '../fs/atomic-write.js'

export interface AckLine {
  name: string
  sop: string
  status: number
  at: string
}

export interface FailureLine {
  name: string
  sop: string
  why: string
  permanent: boolean
}

export class DeliveryLedger {
  private readonly folder: string
  private folderReady = false

  constructor(
    jobFolder: string,
    readonly deliveryId: string,
  ) {
    this.folder = join(jobFolder, DELIVERIES_DIR)
  }

  private get ackPath(): string {
    return join(this.folder, `${this.deliveryId}.acked.jsonl`)
  }

  // Names of the files already acknowledged (a torn last line from a crash is ignored).
  async acknowledged(): Promise<Set<string>> {
    const text = await readFile(this.ackPath, 'utf8').catch(() => '')
    const names = new Set<string>()
    for (const line of text.split('\n')) {
      if (!line) continue
      try {
        names.add((JSON.parse(line) as AckLine).name)
      } catch {
        // torn write
      }
    }
    return names
  }

  async prepare(): Promise<void> {
    await mkdir(this.folder, { recursive: true })
    this.folderReady = true
  }

  // Written synchronously, in the same turn as the response was read: the window in which a
  // crash could forget an acknowledgement (and send that instance again) is as small as it gets.
  async recordAck(line: AckLine): Promise<void> {
    if (!this.folderReady) {
      await mkdir(this.folder, { recursive: true })
      this.folderReady = true
    }
    appendFileSync(this.ackPath, `${JSON.stringify(line)}\n`)
  }

  async recordFailures(failures: FailureLine[]): Promise<void> {
    await mkdir(this.folder, { recursive: true })
    await writeJsonAtomic(join(this.folder, `${this.deliveryId}.failures.json`), failures)
  }
}
