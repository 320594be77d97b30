/**
 * @module atomic-write
 * Writes a file so that readers see either the old content or the new, never a half-written file:
 * the bytes go to a temp file in the same folder, are flushed, and the temp file is renamed over
 * the target.
 */
import { randomBytes } from 'node:crypto'
import { open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

// A temp name next to the target, hidden, so that folder scans skip it.
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`)
}

// Write `data` to `target` atomically (temp file + fsync + rename).
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(target)
  const handle = await open(temp, 'w', 0o644)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await rename(temp, target)
  } catch (error) {
    await unlink(temp).catch(() => undefined)
    throw error
  }
}

// Write a value as pretty JSON atomically.
export async function writeJsonAtomic(target: string, value: unknown): Promise<void> {
  await writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`)
}
