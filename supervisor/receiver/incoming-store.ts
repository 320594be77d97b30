/**
 * @module incoming-store
 * Where received instances wait for their study to complete: one folder per (called AE, calling
 * AE, StudyInstanceUID) under `scratch/incoming/`, holding `group.json` and `<SOPInstanceUID>.dcm`
 * files. A group folder is created whole (built in `.tmp/` and renamed into place) and an
 * instance enters it by rename, so a reader never sees a partial file or a group without its
 * record. When the completion side takes a group away (renames the folder), a late instance
 * finds it gone and starts a new group.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { GROUP_FILE } from '../config/data-paths.js'

/** group.json: who sent which study to which stream. */
export interface GroupRecord {
  calledAE: string
  callingAE: string
  callerIP: string
  studyInstanceUID: string
  /** When the group's first instance arrived (ISO 8601). */
  firstArrivalAt: string
}

// The folder name of a group: a hash, since AE titles may hold any character.
export function groupKey(calledAE: string, callingAE: string, studyInstanceUID: string): string {
  return createHash('sha256').update(`${calledAE}\u0000${callingAE}\u0000${studyInstanceUID}`).digest('hex').slice(0, 32)
}

export interface CommitResult {
  groupKey: string
  /** An instance with this SOP Instance UID was already in the group and has been replaced. */
  replaced: boolean
  path: string
}

export class IncomingStore {
  constructor(
    readonly incomingDir: string,
    readonly tempDir: string,
  ) {}

  async prepare(): Promise<void> {
    await mkdir(this.tempDir, { recursive: true })
  }

  // A fresh temp path for an instance being received.
  tempPath(): string {
    return join(this.tempDir, `${Date.now()}-${randomBytes(8).toString('hex')}.part`)
  }

  private async ensureGroup(key: string, record: GroupRecord): Promise<void> {
    const folder = join(this.incomingDir, key)
    try {
      await stat(join(folder, GROUP_FILE))
      return
    } catch {
      // create below
    }
    const building = join(this.tempDir, `group-${randomBytes(8).toString('hex')}`)
    await mkdir(building)
    await writeFile(join(building, GROUP_FILE), `${JSON.stringify(record, null, 2)}\n`)
    try {
      await rename(building, folder)
    } catch (error) {
      await rm(building, { recursive: true, force: true })
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error
    }
  }

  private ensureGroupSync(key: string, record: GroupRecord): void {
    const folder = join(this.incomingDir, key)
    if (existsSync(join(folder, GROUP_FILE))) return
    const building = join(this.tempDir, `group-${randomBytes(8).toString('hex')}`)
    mkdirSync(building)
    writeFileSync(join(building, GROUP_FILE), `${JSON.stringify(record, null, 2)}\n`)
    try {
      renameSync(building, folder)
    } catch (error) {
      rmSync(building, { recursive: true, force: true })
      const code = (error as NodeJS.ErrnoException).code
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error
    }
  }

  /**
   * commit() with synchronous calls: a few metadata operations of microseconds each, on the
   * path that holds up the sender's next image (a thread-pool round trip costs more than they do).
   */
  commitSync(tempPath: string, record: GroupRecord, sopInstanceUID: string): CommitResult {
    const key = groupKey(record.calledAE, record.callingAE, record.studyInstanceUID)
    const target = join(this.incomingDir, key, `${sopInstanceUID}.dcm`)
    for (let attempt = 0; attempt < 20; attempt++) {
      this.ensureGroupSync(key, record)
      const replaced = existsSync(target)
      try {
        renameSync(tempPath, target)
        return { groupKey: key, replaced, path: target }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync(tempPath)) throw error
      }
    }
    throw new Error(`could not place instance ${sopInstanceUID} into group ${key}: the group kept disappearing`)
  }

  // Move a complete temp file into its group as `<sopInstanceUID>.dcm`.
  async commit(tempPath: string, record: GroupRecord, sopInstanceUID: string): Promise<CommitResult> {
    const key = groupKey(record.calledAE, record.callingAE, record.studyInstanceUID)
    const folder = join(this.incomingDir, key)
    const target = join(folder, `${sopInstanceUID}.dcm`)
    for (let attempt = 0; attempt < 20; attempt++) {
      await this.ensureGroup(key, record)
      const replaced = await stat(target).then(
        () => true,
        () => false,
      )
      try {
        await rename(tempPath, target)
        return { groupKey: key, replaced, path: target }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
        await stat(tempPath) // the temp file itself missing is a real error
        // The group was taken by study completion between our check and the rename: start a new one.
      }
    }
    throw new Error(`could not place instance ${sopInstanceUID} into group ${key}: the group kept disappearing`)
  }
}
