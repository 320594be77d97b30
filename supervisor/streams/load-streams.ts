/**
 * @module load-streams
 * Reads every `<streams>/<folder>/info.json` and decides which streams take studies: a stream is
 * usable when its info.json is valid, it is enabled, and no other enabled stream has its AE title.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseStreamInfo } from './parse-stream-info.js'
import type { StreamDefinition, StreamEntry } from './stream-definition.js'

export interface StreamCatalogSnapshot {
  entries: StreamEntry[]
  /** Usable streams by AE title. */
  byAeTitle: Map<string, StreamDefinition>
}

// Read the streams folder now (synchronously: it is a handful of small files).
export function loadStreams(streamsDir: string): StreamCatalogSnapshot {
  const entries: StreamEntry[] = []
  let names: string[] = []
  try {
    names = readdirSync(streamsDir).filter((name) => !name.startsWith('.')).sort()
  } catch {
    return { entries, byAeTitle: new Map() }
  }
  for (const name of names) {
    const folder = join(streamsDir, name)
    try {
      if (!statSync(folder).isDirectory()) continue
    } catch {
      continue
    }
    let text: string
    try {
      text = readFileSync(join(folder, 'info.json'), 'utf8')
    } catch {
      continue // a folder without info.json is not a stream (e.g. shared files)
    }
    try {
      const definition = parseStreamInfo(folder, JSON.parse(text))
      entries.push({ folder, definition, problem: definition.enabled ? undefined : 'disabled in info.json' })
    } catch (error) {
      entries.push({ folder, definition: undefined, problem: `info.json: ${(error as Error).message}` })
    }
  }
  const claims = new Map<string, StreamEntry[]>()
  for (const entry of entries) {
    if (!entry.definition || entry.problem) continue
    const list = claims.get(entry.definition.aeTitle) ?? []
    list.push(entry)
    claims.set(entry.definition.aeTitle, list)
  }
  const byAeTitle = new Map<string, StreamDefinition>()
  for (const [aeTitle, list] of claims) {
    if (list.length === 1) {
      byAeTitle.set(aeTitle, list[0]!.definition!)
      continue
    }
    const folders = list.map((e) => e.folder).join(', ')
    for (const entry of list) entry.problem = `AE title "${aeTitle}" is claimed by more than one enabled stream (${folders}); all of them are refused until one is renamed or disabled`
  }
  return { entries, byAeTitle }
}

/** A view of the streams folder that re-reads it when the last read is older than `maxAgeMs`. */
export class StreamCatalog {
  private snapshot: StreamCatalogSnapshot | undefined
  private readAt = 0

  constructor(
    readonly streamsDir: string,
    private readonly maxAgeMs = 1000,
  ) {}

  current(): StreamCatalogSnapshot {
    const now = Date.now()
    if (!this.snapshot || now - this.readAt >= this.maxAgeMs) {
      this.snapshot = loadStreams(this.streamsDir)
      this.readAt = now
    }
    return this.snapshot
  }

  find(aeTitle: string): StreamDefinition | undefined {
    return this.current().byAeTitle.get(aeTitle.trim())
  }
}
