/**
 * JobQueries, the web interface's read-only view of the job index: the text search, which takes
 * every character literally, and the heat-map's jobs per day, which keeps the counts of earlier
 * days between pages and still follows new and deleted jobs.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { JobIndex } from '../../../supervisor/jobs/job-index.js'
import { JobQueries } from '../../../web/read-models/job-queries.js'
import { tempFolder } from '../../helpers/temp-folder.js'
import { fixtureJob } from '../web-fixture.js'

const NOW = new Date('2026-11-28T12:00:00.000Z')
const job = (id: string, receivedAt: string) => fixtureJob(id, { receivedAt })

// A job index in a fresh folder, filled by `fill`, and the read-only queries over it; closed
// and removed after the suite. Use inside a describe.
function indexedJobs(fill: (index: JobIndex) => void): { index: () => JobIndex; queries: () => JobQueries } {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  let index: JobIndex
  let queries: JobQueries
  before(async () => {
    temp = await tempFolder()
    const path = join(temp.path, 'index.sqlite')
    index = new JobIndex(path)
    fill(index)
    queries = new JobQueries(path)
  })
  after(async () => {
    queries.close()
    index.close()
    await temp.remove()
  })
  return { index: () => index, queries: () => queries }
}

describe('JobQueries.perDay', () => {
  const jobs = indexedJobs((index) => {
    index.upsert(job('20261126-090000-000001', '2026-11-26T09:00:00.000Z'), 1)
    index.upsert(job('20261126-100000-000002', '2026-11-26T10:00:00.000Z'), 1)
    index.upsert(job('20261127-090000-000003', '2026-11-27T09:00:00.000Z'), 1)
    index.upsert(job('20261128-090000-000004', '2026-11-28T09:00:00.000Z'), 1)
    index.upsert(job('20260101-090000-000005', '2026-01-01T09:00:00.000Z'), 1)
  })

  const days = (since = '2026-11-01') => Object.fromEntries(jobs.queries().perDay(since, NOW))

  it('counts the jobs received on each day since the given day, today included', () => {
    assert.deepEqual(days(), { '2026-11-26': 2, '2026-11-27': 1, '2026-11-28': 1 })
    assert.deepEqual(days('2026-11-27'), { '2026-11-27': 1, '2026-11-28': 1 })
  })

  it('follows a job received today and a job deleted from an earlier day', () => {
    days()
    jobs.index().upsert(job('20261128-110000-000006', '2026-11-28T11:00:00.000Z'), 1)
    assert.deepEqual(days(), { '2026-11-26': 2, '2026-11-27': 1, '2026-11-28': 2 })
    jobs.index().remove('20261126-090000-000001')
    assert.deepEqual(days(), { '2026-11-26': 1, '2026-11-27': 1, '2026-11-28': 2 })
  })

  it('starts a new day at midnight UTC', () => {
    assert.deepEqual(Object.fromEntries(jobs.queries().perDay('2026-11-01', new Date('2026-11-29T00:00:01.000Z'))), { '2026-11-26': 1, '2026-11-27': 1, '2026-11-28': 2 })
  })
})

describe('JobQueries.list with a text search', () => {
  const named = (id: string, patientName: string) => fixtureJob(id, { study: { ...fixtureJob().study, patientName, studyDescription: 'HEAD' } })
  const jobs = indexedJobs((index) => {
    const names = ['Star*[x]?Name', 'Under_Score%Pct', 'UnderXScoreYPct', 'Müller^Jürgen', 'Plain^Patient']
    names.forEach((name, i) => index.upsert(named(`20261128-10000${i}-00000${i}`, name), 1))
  })

  const found = (q: string) => jobs.queries().list({ q }).jobs.map((j) => j.study.patientName).sort()

  it('finds a substring in any case, through the index from three characters on', () => {
    assert.deepEqual(found('plain^pat'), ['Plain^Patient'])
    assert.deepEqual(found('PATIENT'), ['Plain^Patient'])
    assert.deepEqual(found('müller'), ['Müller^Jürgen'])
  })

  it('takes wildcard characters of GLOB and LIKE literally', () => {
    assert.deepEqual(found('*[x]?'), ['Star*[x]?Name'])
    assert.deepEqual(found('r*['), ['Star*[x]?Name'])
    assert.deepEqual(found('?na'), ['Star*[x]?Name'])
    assert.deepEqual(found('under_score'), ['Under_Score%Pct'])
    assert.deepEqual(found('e%p'), ['Under_Score%Pct'])
    assert.deepEqual(found('_s'), ['Under_Score%Pct'], 'two characters: the scan, also literal')
    assert.deepEqual(found('*'), ['Star*[x]?Name'])
    assert.deepEqual(found('no such text'), [])
  })
})

describe('JobQueries.list with a text search that most jobs match', () => {
  const jobs = indexedJobs((index) =>
    index.transaction(() => {
      for (let i = 0; i < 2100; i++) {
        const at = new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString()
        const id = `20261101-${String(i).padStart(6, '0')}-${i.toString(16).padStart(6, '0')}`
        index.upsert(fixtureJob(id, { receivedAt: at, state: i % 3 === 0 ? 'failed' : 'done', study: { ...fixtureJob().study, studyDescription: 'CT HEAD' } }), 1)
      }
    }),
  )

  it('pages through every match newest first, with the other filters', () => {
    const seen: string[] = []
    let before: string | undefined
    do {
      const page = jobs.queries().list({ q: 'ct head', state: 'failed', limit: 200, before })
      seen.push(...page.jobs.map((j) => j.receivedAt))
      before = page.next
    } while (before)
    assert.equal(seen.length, 700)
    assert.deepEqual(seen, [...seen].sort().reverse(), 'newest first')
    assert.equal(new Set(seen).size, 700, 'each once')
  })
})
