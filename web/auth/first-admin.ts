/**
 * @module first-admin
 * On first start there are no users: an admin with a generated password is created, the password
 * is written to `$MAGICKBOX_DATA/initial-admin-password` (mode 0600, readable only by the box's
 * user and root) and shown once on the console when there is one (a terminal, never a log). It
 * must be changed at the first login.
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { generatePassword } from './password-hash.js'
import type { UserStore } from './user-store.js'

export const INITIAL_PASSWORD_FILE = 'initial-admin-password'

export async function ensureFirstAdmin(users: UserStore, dataDir: string, say: (text: string) => void): Promise<boolean> {
  if ((await users.users()).length > 0) return false
  const password = generatePassword()
  await users.setPassword('admin', password, { role: 'admin', mustChange: true })
  const file = join(dataDir, INITIAL_PASSWORD_FILE)
  await writeFile(file, `${password}\n`, { mode: 0o600 })
  if (process.stdout.isTTY) say(`\n  MagickBox web interface: first login as "admin" with password ${password}\n  (also in ${file}, readable by the box's user and root; you must change it at the first login)\n`)
  else say(`MagickBox web interface: an admin password was generated; read it from ${file} (readable by the box's user and root)`)
  return true
}
