/**
 * @module receiver-watch
 * What the network campaign watches on the live box: the receiver process (its pid from the
 * status API, its resident memory from /proc), and what is visible in scratch/incoming/: every
 * group folder must hold its group.json and only whole instances (each file validates as a
 * Part-10 instance and is named after its SOP Instance UID); temp files stay in .tmp/.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { readInstanceFile } from '../../../supervisor/dicom/part10-file.js'
import type { BoxProcess } from '../../helpers/box-process.js'

export async function receiverUnit(box: BoxProcess): Promise<{ pid: number; restarts: number; state: string }> {
  const status = await box.status()
  const unit = status.units.find((u) => u.name === 'receiver')
  if (!unit?.pid) throw new Error(`no receiver process in the box's status (${status.units.map((u) => `${u.name} ${u.state}`).join(', ')})`)
  return { pid: unit.pid, restarts: unit.restarts, state: unit.state }
}

/** Resident memory of a process (MB), or undefined when it is gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb ? Number(kb) / 1024 : undefined
  } catch {
    return undefined
  }
}

export interface IncomingGroup {
  key: string
  calledAE: string
  /** SOP Instance UIDs of the whole instances in it. */
  instances: string[]
}

export interface IncomingState {
  groups: IncomingGroup[]
  /** Files in .tmp/ (instances being received, or left behind). */
  temps: string[]
  /** Anything partial or out of place. */
  problems: string[]
}

const gone = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT'

export function incomingState(dataDir: string): IncomingState {
  const incoming = join(dataDir, 'scratch', 'incoming')
  const state: IncomingState = { groups: [], temps: [], problems: [] }
  let names: string[] = []
  try {
    names = readdirSync(incoming)
  } catch (error) {
    if (!gone(error)) throw error
  }
  for (const name of names) {
    if (name === '.tmp') {
      state.temps = readdirSync(join(incoming, name))
      continue
    }
    const folder = join(incoming, name)
    try {
      const record = JSON.parse(readFileSync(join(folder, 'group.json'), 'utf8')) as { calledAE: string }
      const group: IncomingGroup = { key: name, calledAE: record.calledAE, instances: [] }
      for (const file of readdirSync(folder)) {
        if (file === 'group.json') continue
        if (!file.endsWith('.dcm')) {
          state.problems.push(`${name}/${file}: not an instance file`)
          continue
        }
        try {
          const instance = readInstanceFile(join(folder, file), { validate: true })
          if (`${instance.sopInstanceUid}.dcm` !== file || instance.header.sopInstanceUid !== instance.sopInstanceUid) state.problems.push(`${name}/${file}: named after another SOP Instance UID than it holds`)
          group.instances.push(instance.sopInstanceUid)
        } catch (error) {
          if (!gone(error)) state.problems.push(`${name}/${file}: not a whole instance: ${(error as Error).message}`)
        }
      }
      state.groups.push(group)
    } catch (error) {
      // A group the completion side took away while we looked is fine; a group without its record is not.
      if (!gone(error)) state.problems.push(`${name}: ${(error as Error).message}`)
      else if (readdirSafe(folder) !== undefined) state.problems.push(`${name}: a group folder without group.json`)
    }
  }
  return state
}

function readdirSafe(folder: string): string[] | undefined {
  try {
    return readdirSync(folder)
  } catch {
    return undefined
  }
}
