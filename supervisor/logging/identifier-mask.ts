/**
 * @module identifier-mask
 * How patient names, patient IDs and DICOM UIDs appear in log lines. Logs name a patient only
 * where that is needed to find a job (the line that creates it) and UIDs where they tell what
 * happened to an instance or a study. With `logs.maskIdentifiers` each of them is replaced by a
 * short keyed hash: the same patient or study gives the same token in every log of this box (so
 * lines can still be followed and matched against the job page, which shows the real values to a
 * logged-in user), but the token cannot be turned back into the value without the box's key,
 * `$MAGICKBOX_DATA/.log-mask-key` (mode 0600, never in the logs folder).
 */
import { createHmac, randomBytes } from 'node:crypto'
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const MASK_KEY_FILE = '.log-mask-key'

export interface IdentifierMask {
  readonly masked: boolean
  /** `patient "DOE^JANE" (ID 12345)`, or `patient #3fa2c1d9` when masked (keyed on the ID). */
  patient(name: string, id: string): string
  /** The UID itself, or `uid#9f8e7d6c` when masked. */
  uid(uid: string): string
}

export const plainIdentifiers: IdentifierMask = {
  masked: false,
  patient: (name, id) => `patient "${name}" (ID ${id || 'none'})`,
  uid: (uid) => uid,
}

export function maskedIdentifiers(key: Buffer): IdentifierMask {
  const token = (kind: string, value: string) => createHmac('sha256', key).update(`${kind}\u0000${value}`).digest('hex').slice(0, 8)
  return {
    masked: true,
    patient: (name, id) => `patient #${token('patient', id || name)}`,
    uid: (uid) => `uid#${token('uid', uid)}`,
  }
}

// The box's masking key: made once (by whichever process gets there first) and kept, so tokens
// stay the same across restarts. Written aside and linked into place, so no reader sees it half-written.
export function loadMaskKey(dataRoot: string): Buffer {
  const path = join(dataRoot, MASK_KEY_FILE)
  try {
    return readKey(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`
  writeFileSync(aside, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 })
  try {
    linkSync(aside, path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  } finally {
    rmSync(aside, { force: true })
  }
  return readKey(path)
}

function readKey(path: string): Buffer {
  const hex = readFileSync(path, 'utf8').trim()
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${path} is not a log masking key (64 hex digits); remove it and a new one is made`)
  return Buffer.from(hex, 'hex')
}
