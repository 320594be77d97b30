/**
 * @module job-files
 * Reading a job's folder for the web interface, safely: only job ids that match the id pattern,
 * only the files below the job's input/ and output/ (no symlinks, nothing outside), the tail of
 * processing.log, and the per-instance delivery records.
 *
 * A running stream owns its output/ and can swap a listed file, or a folder on its path, for a
 * symlink to a file of the host between the listing and the read. So a file is opened without
 * following a final symlink, and what was opened is checked through /proc/self/fd to lie below
 * the folder that was listed before a byte of it is read.
 */
import { constants } from 'node:fs'
import { lstat, open, readdir, readFile, readlink, realpath } from 'node:fs/promises'
import { join, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { DELIVERIES_DIR, INPUT_DIR, JOB_FILE, OUTPUT_DIR, PROCESSING_LOG } from '../../supervisor/config/data-paths.js'
import { readJsonIfExists } from '../../supervisor/fs/read-json.js'
import type { Job } from '../../supervisor/jobs/job.js'
import { isJobId } from '../../supervisor/jobs/job-id.js'
import type { AckLine, FailureLine } from '../../supervisor/sender/delivery-ledger.js'

/** A file that is not (or no longer) the regular file below the job's folder that was listed. */
export class UnsafeJobFileError extends Error {
  constructor(name: string, why: string) {
    super(`${name}: ${why}`)
    this.name = 'UnsafeJobFileError'
  }
}

export interface JobFile {
  path: string
  /** Relative to input/ or output/. */
  name: string
  size: number
  /** Opens the file for reading, refusing it when it is no longer what was listed. */
  open(): Promise<Readable>
}

// Open `path` for reading only if it is, at the moment of opening, a regular file below `root`.
async function openBelow(root: string, path: string, name: string): Promise<Readable> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: NodeJS.ErrnoException) => {
    throw new UnsafeJobFileError(name, error.code === 'ELOOP' ? 'is a symbolic link' : (error.message ?? 'cannot be opened'))
  })
  try {
    const [opened, base, info] = await Promise.all([readlink(`/proc/self/fd/${handle.fd}`), realpath(root), handle.stat()])
    if (!opened.startsWith(base + sep)) throw new UnsafeJobFileError(name, 'lies outside the job folder')
    if (!info.isFile()) throw new UnsafeJobFileError(name, 'is not a regular file')
  } catch (error) {
    await handle.close()
    throw error
  }
  return handle.createReadStream()
}

export class JobFiles {
  constructor(private readonly scratch: string) {}

  folder(id: string): string | undefined {
    return isJobId(id) ? join(this.scratch, id) : undefined
  }

  async job(id: string): Promise<Job | undefined> {
    const folder = this.folder(id)
    return folder ? readJsonIfExists<Job>(join(folder, JOB_FILE)).catch(() => undefined) : undefined
  }

  // Regular files below input/ or output/ (relative names), never following a symlink.
  async files(id: string, which: 'input' | 'output'): Promise<JobFile[]> {
    const folder = this.folder(id)
    if (!folder) return []
    const root = join(folder, which === 'input' ? INPUT_DIR : OUTPUT_DIR)
    const out: JobFile[] = []
    const walk = async (dir: string, prefix: string) => {
      for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const path = join(dir, entry.name)
        const name = prefix ? `${prefix}/${entry.name}` : entry.name
        if (entry.isDirectory()) await walk(path, name)
        else if (entry.isFile()) {
          const size = await lstat(path).then((info) => info.size, () => undefined)
          if (size !== undefined) out.push({ path, name, size, open: () => openBelow(root, path, name) })
        }
      }
    }
    await walk(root, '')
    return out.sort((a, b) => a.name.localeCompare(b.name))
  }

  // processing.log from `offset` (at most `max` bytes, the end of it when it is longer).
  async log(id: string, offset = 0, max = 256 * 1024): Promise<{ text: string; size: number; from: number }> {
    const folder = this.folder(id)
    if (!folder) return { text: '', size: 0, from: 0 }
    const handle = await open(join(folder, PROCESSING_LOG), 'r').catch(() => undefined)
    if (!handle) return { text: '', size: 0, from: 0 }
    try {
      const size = (await handle.stat()).size
      const from = Math.max(offset, size - max)
      const buffer = Buffer.alloc(Math.max(0, size - from))
      await handle.read(buffer, 0, buffer.length, from)
      return { text: buffer.toString('utf8'), size, from }
    } finally {
      await handle.close()
    }
  }

  // Per-instance results of one delivery: acknowledged files and the last attempt's failures.
  async deliveryDetail(id: string, deliveryId: string): Promise<{ acked: AckLine[]; failures: FailureLine[] }> {
    const folder = this.folder(id)
    if (!folder || !/^d\d+$/.test(deliveryId)) return { acked: [], failures: [] }
    const text = await readFile(join(folder, DELIVERIES_DIR, `${deliveryId}.acked.jsonl`), 'utf8').catch(() => '')
    const acked: AckLine[] = []
    for (const line of text.split('\n')) {
      try {
        if (line) acked.push(JSON.parse(line) as AckLine)
      } catch {
        // torn line
      }
    }
    const failures = (await readJsonIfExists<FailureLine[]>(join(folder, DELIVERIES_DIR, `${deliveryId}.failures.json`)).catch(() => [])) ?? []
    return { acked, failures }
  }
}
