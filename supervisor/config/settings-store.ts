/**
 * @module settings-store
 * The only importer of lowdb: settings.json is small state rewritten whole on each change.
 */
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Low } from 'lowdb'
import { JSONFile } from 'lowdb/node'
import { ConfigError } from './config-error.js'
import { DEFAULT_SETTINGS, type Settings } from './settings.js'
import { validateSettings } from './validate-settings.js'

// Read settings.json, writing the defaults on first start so an operator can see every setting.
export async function readSettingsFile(path: string): Promise<Settings> {
  await mkdir(dirname(path), { recursive: true })
  const db = new Low<Partial<Settings> | null>(new JSONFile(path), null)
  try {
    await db.read()
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON: ${(error as Error).message}`, { cause: error })
  }
  if (db.data === null) {
    db.data = DEFAULT_SETTINGS
    await db.write()
  }
  return validateSettings(db.data, path)
}

// Replace settings.json with validated settings (atomic: lowdb writes a temp file and renames).
export async function writeSettingsFile(path: string, settings: Settings): Promise<Settings> {
  const valid = validateSettings(settings, path)
  const db = new Low<Settings>(new JSONFile(path), valid)
  await db.write()
  return valid
}
