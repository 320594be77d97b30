/**
 * @module job-index
 * A SQLite index of the job folders, so that lists of 100,000 jobs stay fast. It is a cache: the
 * job folders are the truth, and {@link JobIndex.reconcile} rebuilds any row that differs from its
 * job.json. The supervisor is the only writer; the web interface opens it read-only.
 */
import type { Job, JobState } from './job.js'
import { openDatabase, type SqliteDatabase } from './sqlite.js'

const SCHEMA_VERSION = 4

// The text fields a search looks in, lower case, in one column (one LIKE instead of ten).
export function searchText(job: Job): string {
  return [
    job.id, job.state, job.stream, job.callingAE, job.callerIP, job.studyInstanceUID, job.outcome ?? '',
    job.study.patientName, job.study.patientId, job.study.accessionNumber, job.study.studyDescription, job.study.modality,
  ].join('\u0001').toLowerCase()
}

export interface FinishedJob {
  id: string
  state: JobState
  outcome: string | null
  settledAt: string
  bytes: number
}

export interface IndexedJobStamp {
  id: string
  mtimeMs: number
}

export class JobIndex {
  private readonly db: SqliteDatabase

  constructor(path: string) {
    this.db = openDatabase(path)
    const version = this.db.pragma('user_version', { simple: true }) as number
    if (version !== SCHEMA_VERSION) {
      this.db.exec('DROP TABLE IF EXISTS jobs; DROP TABLE IF EXISTS jobs_fts; DROP TABLE IF EXISTS index_meta')
      this.db.exec(`
        CREATE TABLE jobs (
          id TEXT PRIMARY KEY,
          state TEXT NOT NULL,
          stream TEXT NOT NULL,
          called_ae TEXT NOT NULL,
          calling_ae TEXT NOT NULL,
          caller_ip TEXT NOT NULL,
          study_uid TEXT NOT NULL,
          patient_name TEXT NOT NULL,
          patient_id TEXT NOT NULL,
          instances INTEGER NOT NULL,
          received_at TEXT NOT NULL,
          queued_at TEXT NOT NULL,
          finished_at TEXT,
          outcome TEXT,
          settled_at TEXT NOT NULL,
          bytes INTEGER NOT NULL,
          search TEXT NOT NULL,
          run_seconds REAL,
          mtime_ms REAL NOT NULL,
          json TEXT NOT NULL
        );
        CREATE INDEX jobs_state ON jobs(state, queued_at);
        CREATE INDEX jobs_received ON jobs(received_at);
        CREATE INDEX jobs_stream ON jobs(stream, received_at);
        CREATE INDEX jobs_study ON jobs(study_uid, called_ae, calling_ae);
        CREATE INDEX jobs_settled ON jobs(state, settled_at);
        CREATE VIRTUAL TABLE jobs_fts USING fts5(search, tokenize = 'trigram');
        CREATE TABLE index_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT INTO index_meta VALUES ('changes', 0);
      `)
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`)
    }
  }

  upsert(job: Job, mtimeMs: number): void {
    this.db
      .prepare(
        `INSERT INTO jobs (id, state, stream, called_ae, calling_ae, caller_ip, study_uid, patient_name, patient_id,
           instances, received_at, queued_at, finished_at, outcome, settled_at, bytes, search, run_seconds, mtime_ms, json)
         VALUES (@id, @state, @stream, @calledAE, @callingAE, @callerIP, @studyInstanceUID, @patientName, @patientId,
           @instances, @receivedAt, @queuedAt, @finishedAt, @outcome, @settledAt, @bytes, @search, @runSeconds, @mtimeMs, @json)
         ON CONFLICT(id) DO UPDATE SET state = excluded.state, stream = excluded.stream, instances = excluded.instances,
           finished_at = excluded.finished_at, outcome = excluded.outcome, settled_at = excluded.settled_at,
           bytes = excluded.bytes, search = excluded.search, run_seconds = excluded.run_seconds, mtime_ms = excluded.mtime_ms, json = excluded.json`,
      )
      .run({
        id: job.id,
        state: job.state,
        stream: job.stream,
        calledAE: job.calledAE,
        callingAE: job.callingAE,
        callerIP: job.callerIP,
        studyInstanceUID: job.studyInstanceUID,
        patientName: job.study.patientName,
        patientId: job.study.patientId,
        instances: job.instances,
        receivedAt: job.receivedAt,
        queuedAt: job.queuedAt,
        finishedAt: job.finishedAt ?? null,
        outcome: job.outcome ?? null,
        settledAt: job.history.at(-1)?.at ?? job.queuedAt,
        bytes: job.bytes,
        search: searchText(job),
        runSeconds: job.startedAt && job.finishedAt ? (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000 : null,
        mtimeMs,
        json: JSON.stringify(job),
      })
    this.db.prepare('INSERT OR REPLACE INTO jobs_fts(rowid, search) VALUES ((SELECT rowid FROM jobs WHERE id = ?), ?)').run(job.id, searchText(job))
    this.changed()
  }

  // Bump the change counter the web interface watches for live updates.
  private changed(): void {
    this.db.prepare("UPDATE index_meta SET value = value + 1 WHERE key = 'changes'").run()
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM jobs_fts WHERE rowid = (SELECT rowid FROM jobs WHERE id = ?)').run(id)
    this.db.prepare('DELETE FROM jobs WHERE id = ?').run(id)
    this.changed()
  }

  get(id: string): Job | undefined {
    const row = this.db.prepare('SELECT json FROM jobs WHERE id = ?').get(id) as { json: string } | undefined
    return row ? (JSON.parse(row.json) as Job) : undefined
  }

  stamps(): IndexedJobStamp[] {
    return (this.db.prepare('SELECT id, mtime_ms AS mtimeMs FROM jobs').all() as IndexedJobStamp[])
  }

  // Jobs in the given states, oldest queued first.
  inStates(states: readonly JobState[]): Job[] {
    const marks = states.map(() => '?').join(',')
    const rows = this.db.prepare(`SELECT json FROM jobs WHERE state IN (${marks}) ORDER BY queued_at, id`).all(...states) as { json: string }[]
    return rows.map((row) => JSON.parse(row.json) as Job)
  }

  // Ids of jobs already made from this study group (late arrivals refer to them).
  idsForStudy(calledAE: string, callingAE: string, studyInstanceUID: string): string[] {
    const rows = this.db
      .prepare('SELECT id FROM jobs WHERE study_uid = ? AND called_ae = ? AND calling_ae = ? ORDER BY id')
      .all(studyInstanceUID, calledAE, callingAE) as { id: string }[]
    return rows.map((row) => row.id)
  }

  // Finished jobs (done, failed, cancelled), the longest finished first: what retention may delete.
  finishedOldestFirst(): FinishedJob[] {
    return this.db
      .prepare(`SELECT id, state, outcome, settled_at AS settledAt, bytes FROM jobs WHERE state IN ('done', 'failed', 'cancelled') ORDER BY settled_at, id`)
      .all() as FinishedJob[]
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n
  }

  // Run several writes as one transaction (fast bulk reconcile).
  transaction(work: () => void): void {
    this.db.transaction(work)()
  }

  close(): void {
    this.db.close()
  }
}
