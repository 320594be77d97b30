/**
 * @module job-queries
 * Read-only queries over the job index for the web interface: the job list with its filters and
 * keyset paging (fast at 100,000 jobs), the calendar heat-map, run-time statistics per stream,
 * the studies list, and a change stamp for live updates. It never writes.
 */
import { existsSync } from 'node:fs'
import type { Job, JobState, StudyFacts } from '../../supervisor/jobs/job.js'
import { openDatabaseReadOnly, type SqliteDatabase } from '../../supervisor/jobs/sqlite.js'

export interface JobFilter {
  q?: string
  stream?: string
  state?: string
  outcome?: string
  /** YYYY-MM-DD: jobs received that day (UTC). */
  day?: string
  /** Paging cursor: jobs received before this `receivedAt|id`. */
  before?: string
  limit?: number
}

export interface JobPage {
  jobs: Job[]
  /** Cursor of the next (older) page, when there is one. */
  next: string | undefined
}

export interface StreamRunStats {
  stream: string
  jobs: number
  runs: number
  meanSeconds: number | null
  spreadSeconds: number | null
}

export interface StudyRow extends StudyFacts {
  studyInstanceUID: string
  jobs: number
  lastReceivedAt: string
}

const STATES: JobState[] = ['queued', 'running', 'routing', 'done', 'failed', 'cancelled']

/** Up to this many trigram hits, the hits are fetched and sorted; past it, the list is walked newest first. */
const INDEXED_HITS_MAX = 2000

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

// A substring search, lower case on both sides, every character taken literally. From three
// characters on, the trigram index finds the rows: FTS5 uses it for GLOB (and for LIKE without
// ESCAPE, never with it), so the pattern is a GLOB with its special characters matched through
// one-character classes. A rare text then costs a millisecond; a text in most jobs (a modality, a
// common word) has too many hits to sort, and walking the list newest first finds a page of them
// sooner. Below three characters the trigram index cannot help: the walk again.
function searchCondition(db: SqliteDatabase, q: string | undefined): { sql: string; arg: string } | undefined {
  const text = q?.trim().toLowerCase()
  if (!text) return undefined
  const walk = { sql: `search LIKE ? ESCAPE '\\'`, arg: likePattern(text) }
  if (text.length < 3) return walk
  const glob = `*${text.replace(/[*?[]/g, (c) => `[${c}]`)}*`
  const hits = db.prepare('SELECT rowid FROM jobs_fts WHERE search GLOB ? LIMIT ?').pluck().all(glob, INDEXED_HITS_MAX + 1) as number[]
  if (hits.length > INDEXED_HITS_MAX) return walk
  return { sql: 'rowid IN (SELECT value FROM json_each(?))', arg: JSON.stringify(hits) }
}

export class JobQueries {
  private db: SqliteDatabase | undefined
  private perDayCache: { key: string; value: Map<string, number> } | undefined

  constructor(private readonly path: string) {}

  // The connection, opened once the supervisor has created the index.
  private open(): SqliteDatabase | undefined {
    if (!this.db && existsSync(this.path)) this.db = openDatabaseReadOnly(this.path)
    return this.db
  }

  close(): void {
    this.db?.close()
    this.db = undefined
  }

  list(filter: JobFilter): JobPage {
    const db = this.open()
    if (!db) return { jobs: [], next: undefined }
    const where: string[] = []
    const args: unknown[] = []
    const text = searchCondition(db, filter.q)
    if (text) {
      where.push(text.sql)
      args.push(text.arg)
    }
    if (filter.stream) {
      where.push('stream = ?')
      args.push(filter.stream)
    }
    if (filter.state && (STATES as string[]).includes(filter.state)) {
      where.push('state = ?')
      args.push(filter.state)
    }
    if (filter.outcome && ['success', 'failed', 'partial'].includes(filter.outcome)) {
      where.push('outcome = ?')
      args.push(filter.outcome)
    }
    if (filter.day && /^\d{4}-\d{2}-\d{2}$/.test(filter.day)) {
      where.push('received_at >= ? AND received_at < ?')
      const start = new Date(`${filter.day}T00:00:00Z`)
      args.push(start.toISOString(), new Date(start.getTime() + 86_400_000).toISOString())
    }
    if (filter.before) {
      const [at, id] = filter.before.split('|')
      if (at && id) {
        where.push('(received_at < ? OR (received_at = ? AND id < ?))')
        args.push(at, at, id)
      }
    }
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500)
    const rows = db
      .prepare(`SELECT json FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY received_at DESC, id DESC LIMIT ?`)
      .all(...args, limit + 1) as { json: string }[]
    const jobs = rows.slice(0, limit).map((r) => JSON.parse(r.json) as Job)
    const last = jobs.at(-1)
    return { jobs, next: rows.length > limit && last ? `${last.receivedAt}|${last.id}` : undefined }
  }

  get(id: string): Job | undefined {
    const row = this.open()?.prepare('SELECT json FROM jobs WHERE id = ?').get(id) as { json: string } | undefined
    return row ? (JSON.parse(row.json) as Job) : undefined
  }

  count(): number {
    return (this.open()?.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number } | undefined)?.n ?? 0
  }

  // Jobs received per day (UTC) since `since` (YYYY-MM-DD). Counting six months of a busy box
  // takes tens of milliseconds and every job-list page shows it, so the days before today are
  // kept: new jobs are received today, and only a deletion changes an earlier day (it changes the
  // number of jobs from before today, and the kept counts are made again). Today is counted anew.
  perDay(since: string, now = new Date()): Map<string, number> {
    const db = this.open()
    if (!db) return new Map()
    const today = now.toISOString().slice(0, 10)
    const todayCount = (db.prepare('SELECT COUNT(*) AS n FROM jobs WHERE received_at >= ?').get(today) as { n: number }).n
    const key = `${since}|${today}|${this.count() - todayCount}`
    if (this.perDayCache?.key !== key) {
      const rows = db.prepare('SELECT substr(received_at, 1, 10) AS day, COUNT(*) AS n FROM jobs WHERE received_at >= ? AND received_at < ? GROUP BY day').all(since, today) as { day: string; n: number }[]
      this.perDayCache = { key, value: new Map(rows.map((r) => [r.day, r.n])) }
    }
    const days = new Map(this.perDayCache.value)
    if (todayCount > 0 && today >= since) days.set(today, todayCount)
    return days
  }

  // The AE titles of every stream that has jobs.
  streamNames(): string[] {
    return ((this.open()?.prepare('SELECT DISTINCT stream FROM jobs ORDER BY stream').all() ?? []) as { stream: string }[]).map((r) => r.stream)
  }

  // Mean and standard deviation of the run time per stream, over its last 500 runs.
  runStats(): StreamRunStats[] {
    const db = this.open()
    if (!db) return []
    const streams = db.prepare('SELECT DISTINCT stream FROM jobs').all() as { stream: string }[]
    return streams.map(({ stream }) => {
      const jobs = (db.prepare('SELECT COUNT(*) AS n FROM jobs WHERE stream = ?').get(stream) as { n: number }).n
      const r = db
        .prepare(
          `SELECT COUNT(x) AS runs, AVG(x) AS mean, AVG(x * x) AS meanSquare FROM
             (SELECT run_seconds AS x FROM jobs WHERE stream = ? AND run_seconds IS NOT NULL ORDER BY received_at DESC LIMIT 500)`,
        )
        .get(stream) as { runs: number; mean: number | null; meanSquare: number | null }
      return {
        stream,
        jobs,
        runs: r.runs,
        meanSeconds: r.mean,
        spreadSeconds: r.mean !== null && r.meanSquare !== null ? Math.sqrt(Math.max(0, r.meanSquare - r.mean * r.mean)) : null,
      }
    })
  }

  // Studies, most recently received first: walks the jobs newest first and keeps the first of each study.
  studies(q: string | undefined, offset: number, limit: number): StudyRow[] {
    const db = this.open()
    if (!db) return []
    const text = searchCondition(db, q)
    const statement = db.prepare(
      `SELECT study_uid AS uid, received_at AS at, json FROM jobs ${text ? `WHERE ${text.sql}` : ''} ORDER BY received_at DESC, id DESC LIMIT ? OFFSET ?`,
    )
    const seen = new Map<string, StudyRow>()
    const want = offset + limit
    for (let skip = 0; seen.size < want; skip += 1000) {
      const rows = statement.all(...(text ? [text.arg] : []), 1000, skip) as { uid: string; at: string; json: string }[]
      for (const r of rows) {
        if (seen.has(r.uid) || seen.size >= want) continue
        const job = JSON.parse(r.json) as Job
        seen.set(r.uid, { ...job.study, studyInstanceUID: r.uid, jobs: 0, lastReceivedAt: r.at })
      }
      if (rows.length < 1000) break
    }
    const page = [...seen.values()].slice(offset)
    const count = db.prepare('SELECT COUNT(*) AS n FROM jobs WHERE study_uid = ?')
    for (const row of page) row.jobs = (count.get(row.studyInstanceUID) as { n: number }).n
    return page
  }

  jobIdsForStudy(studyInstanceUID: string): string[] {
    return ((this.open()?.prepare('SELECT id FROM jobs WHERE study_uid = ? ORDER BY id').all(studyInstanceUID) ?? []) as { id: string }[]).map((r) => r.id)
  }

  // A number that changes whenever any job changes (the index's change counter).
  stamp(): number {
    const row = this.open()?.prepare("SELECT value FROM index_meta WHERE key = 'changes'").get() as { value: number } | undefined
    return row?.value ?? 0
  }
}
