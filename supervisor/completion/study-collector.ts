/**
 * @module study-collector
 * Decides when a study group is complete: after its stream's quiet period passes with no new
 * instance of the group and no data flowing on an association between the same two AE titles
 * (so a large instance still in transfer holds its study open). Groups found on disk at start
 * resume their quiet period from the newest file's time.
 */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { GROUP_FILE } from '../config/data-paths.js'
import { readJsonIfExists } from '../fs/read-json.js'
import type { Logger } from '../logging/logger.js'
import type { GroupRecord } from '../receiver/incoming-store.js'
import type { Completion } from './create-job.js'

interface TrackedGroup {
  key: string
  calledAE: string
  callingAE: string
  lastArrivalMs: number
  instances: number
  resumed: boolean
}

export interface StudyCollectorOptions {
  incomingDir: string
  /** Quiet period for a stream's AE title (seconds). */
  quietSecondsFor: (calledAE: string) => number
  /** Make the job; called once per complete group, one at a time. */
  complete: (groupKey: string, completion: Completion) => Promise<void>
  logger: Logger
  /** How often quiet periods are checked. @defaultValue 250 ms */
  tickMs?: number
  /** How often the incoming folder is rescanned for groups not announced. @defaultValue 5000 ms */
  scanMs?: number
}

export class StudyCollector {
  private readonly groups = new Map<string, TrackedGroup>()
  private readonly activity = new Map<string, number>()
  private tickTimer: NodeJS.Timeout | undefined
  private scanTimer: NodeJS.Timeout | undefined
  private working: Promise<void> = Promise.resolve()
  private stopped = false

  constructor(private readonly options: StudyCollectorOptions) {}

  async start(): Promise<void> {
    this.stopped = false
    await this.scan()
    this.tickTimer = setInterval(() => this.tick(), this.options.tickMs ?? 250)
    this.scanTimer = setInterval(() => void this.scan().catch((e: Error) => this.options.logger.error(`scan of incoming failed: ${e.message}`)), this.options.scanMs ?? 5000)
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.tickTimer)
    clearInterval(this.scanTimer)
    await this.working
  }

  /** An instance was stored in a group. */
  noteInstance(event: { groupKey: string; calledAE: string; callingAE: string; at: string }): void {
    const at = Date.parse(event.at) || Date.now()
    const group = this.groups.get(event.groupKey)
    if (group) {
      group.lastArrivalMs = Math.max(group.lastArrivalMs, at)
      group.instances++
    } else {
      this.groups.set(event.groupKey, { key: event.groupKey, calledAE: event.calledAE, callingAE: event.callingAE, lastArrivalMs: at, instances: 1, resumed: false })
    }
  }

  /** Data is flowing on an association between these AE titles (an instance is in transfer). */
  noteActivity(calledAE: string, callingAE: string, at = Date.now()): void {
    this.activity.set(`${calledAE}\u0000${callingAE}`, at)
  }

  // Find groups on disk that nobody announced (after a restart of the receiver or of the box).
  async scan(): Promise<void> {
    const names = await readdir(this.options.incomingDir).catch(() => [] as string[])
    for (const key of names) {
      if (key.startsWith('.') || this.groups.has(key)) continue
      const folder = join(this.options.incomingDir, key)
      const record = await readJsonIfExists<GroupRecord>(join(folder, GROUP_FILE)).catch(() => undefined)
      if (!record) continue
      let newest = Date.parse(record.firstArrivalAt) || 0
      let instances = 0
      for (const name of await readdir(folder).catch(() => [] as string[])) {
        if (!name.endsWith('.dcm')) continue
        instances++
        const info = await stat(join(folder, name)).catch(() => undefined)
        if (info) newest = Math.max(newest, info.mtimeMs)
      }
      if (this.groups.has(key)) continue
      this.groups.set(key, { key, calledAE: record.calledAE, callingAE: record.callingAE, lastArrivalMs: newest, instances, resumed: true })
      this.options.logger.info(`study group ${key} (${record.calledAE} from ${record.callingAE}, ${instances} instance(s)) found on disk; its quiet period resumes`)
    }
  }

  private tick(): void {
    if (this.stopped) return
    const now = Date.now()
    for (const group of [...this.groups.values()]) {
      const quietMs = this.options.quietSecondsFor(group.calledAE) * 1000
      const flowing = this.activity.get(`${group.calledAE}\u0000${group.callingAE}`) ?? 0
      const last = Math.max(group.lastArrivalMs, flowing)
      if (now - last < quietMs) continue
      this.groups.delete(group.key)
      const seconds = Math.round(quietMs / 100) / 10
      const reason = `no new instance for ${seconds} s (quiet period of stream ${group.calledAE})` + (group.resumed ? '; the quiet period resumed after a restart' : '')
      const completion: Completion = { reason, lastArrivalAt: new Date(group.lastArrivalMs) }
      this.working = this.working
        .then(() => this.options.complete(group.key, completion))
        .catch((error: Error) => this.options.logger.error(`could not create the job for study group ${group.key}: ${error.message}`))
    }
  }
}
