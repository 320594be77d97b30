/**
 * Crash safety under fault injection: kill -9 of the receiver, the sender and the whole
 * supervisor at seeded random points of a multi-study run, in every phase (transfer,
 * collecting, running, sending). Afterwards every acknowledged instance was processed, every
 * result was delivered, and the storescp destination received each instance exactly once, except
 * the one instance whose response was on its way when the sender died: its acknowledgement was
 * never read, so it is sent again (at least once, never lost; a second copy of the same SOP
 * Instance UID). The destination is a storescp without TCP_NODELAY (~45 ms per image, most of it
 * spent before the response leaves), which makes that window as wide as it gets.
 * MAGICKBOX_FAULT_SEED picks another schedule; the figures are printed with the test.
 */
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { readInstanceFile } from '../../supervisor/dicom/part10-file.js'
import type { Job } from '../../supervisor/jobs/job.js'
import { BoxProcess } from '../helpers/box-process.js'
import { datasetOf } from '../helpers/dataset-bytes.js'
import { echoscu, Storescp, storescu } from '../helpers/dicom-peers.js'
import { writeProcessStreams } from '../helpers/fixture-streams.js'
import { CT_TEMPLATE, makeStudy } from '../helpers/study-fixtures.js'
import { tempFolder } from '../helpers/temp-folder.js'
import { waitFor } from '../helpers/wait-for.js'

type Phase = 'transfer' | 'collecting' | 'running' | 'sending'
type Target = 'receiver' | 'sender' | 'supervisor'

const SEED = Number(process.env.MAGICKBOX_FAULT_SEED ?? 20261128)
const ROUNDS = 20
const INSTANCES = 10
const PHASES: Phase[] = ['transfer', 'collecting', 'running', 'sending']
const TARGETS: Record<Phase, Target[]> = {
  transfer: ['receiver', 'supervisor'],
  collecting: ['receiver', 'supervisor', 'sender'],
  running: ['supervisor', 'sender', 'receiver'],
  sending: ['sender', 'supervisor'],
}

// A small seeded generator (mulberry32): the same seed gives the same schedule.
function random(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Makes three derived copies of every input instance (new SOP Instance UIDs), slowly.
const TRIPLE = `sleep 1
for f in "$1"/*.dcm; do
  b=$(basename "$f" .dcm)
  for i in 1 2 3; do cp "$f" "$2/$b-$i.dcm"; dcmodify -nb -q -gin "$2/$b-$i.dcm"; done
done`

describe('fault injection', () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  let box: BoxProcess
  let destination: Storescp

  before(async () => {
    temp = await tempFolder()
    const streams = join(temp.path, 'streams')
    await writeProcessStreams(streams, [{ aeTitle: 'TRIPLE', script: TRIPLE, info: { quietSeconds: 3 } }])
    destination = await Storescp.start(join(temp.path, 'destination'), ['+uf'], { nagle: true })
    box = await BoxProcess.start({
      dataDir: join(temp.path, 'data'),
      streamsDir: streams,
      settings: {
        heartbeat: { intervalSeconds: 0 },
        restart: { firstDelaySeconds: 0.2, factor: 1, maxDelaySeconds: 1, maxRestarts: 1000, windowSeconds: 60 },
        delivery: { firstRetrySeconds: 1, factor: 1, maxAttempts: 100, responseTimeoutSeconds: 20 },
      },
      routing: { routing: [{ name: 'everything', send: [{ '.*': { IP: '127.0.0.1', PORT: destination.port, AETitleTo: 'PACS' } }] }] },
    })
  })

  after(async () => {
    await box?.stop()
    await destination?.stop()
    await temp?.remove()
  })

  const pid = async (part: 'receiver' | 'sender') => Number(await readFile(join(box.options.dataDir, '.pids', `${part}.pid`), 'utf8').catch(() => '0'))

  // kill -9 one part, then wait until the box has recovered from it.
  async function kill(target: Target): Promise<void> {
    if (target === 'supervisor') {
      await box.kill9()
      await box.launch()
      return
    }
    const before = await pid(target)
    process.kill(before, 'SIGKILL')
    await waitFor(`a new ${target}`, async () => {
      const now = await pid(target)
      return now !== before && now > 0 && (target === 'sender' || (await echoscu(box.port, 'MAGICKBOX')).exitCode === 0)
    }, 30_000, 50)
  }

  const jobsOf = async (study: string) => (await box.jobs()).filter((j) => j.studyInstanceUID === study)

  it(`loses nothing, and sends again at most the instance in flight, over ${ROUNDS} seeded kill -9 injections in every phase`, async (t) => {
    const rand = random(SEED)
    const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)]!
    const injections: { round: number; phase: Phase; target: Target; note: string; study: string }[] = []
    const acknowledged = new Set<string>()
    for (let round = 0; round < ROUNDS; round++) {
      const phase = PHASES[round % PHASES.length]!
      const target = pick(TARGETS[phase])
      const files = await makeStudy(CT_TEMPLATE, INSTANCES, join(temp.path, `study-${round}`), 1, `FAULT^${round}`)
      const sops = await Promise.all(files.map(async (f) => (await datasetOf(f)).sopInstanceUid))
      const study = readInstanceFile(files[0]!).header.studyInstanceUid
      let note = ''
      if (phase === 'transfer') {
        // One association per image, like many modalities; the kill lands during image k+1.
        const k = 1 + Math.floor(rand() * (INSTANCES - 2))
        for (let i = 0; i < k; i++) if ((await storescu(box.port, 'TRIPLE', [files[i]!])).exitCode === 0) acknowledged.add(sops[i]!)
        const inFlight = storescu(box.port, 'TRIPLE', [files[k]!])
        await new Promise((r) => setTimeout(r, Math.floor(rand() * 15)))
        await kill(target)
        if ((await inFlight).exitCode === 0) acknowledged.add(sops[k]!)
        // The modality sends again what it did not get acknowledged.
        const rest = files.filter((_, i) => !acknowledged.has(sops[i]!))
        const again = await storescu(box.port, 'TRIPLE', rest)
        assert.equal(again.exitCode, 0, again.output)
        for (let i = 0; i < files.length; i++) acknowledged.add(sops[i]!)
        note = `after ${k} of ${INSTANCES} images`
      } else {
        const sent = await storescu(box.port, 'TRIPLE', files)
        assert.equal(sent.exitCode, 0, sent.output)
        for (const sop of sops) acknowledged.add(sop)
        if (phase === 'collecting') {
          await new Promise((r) => setTimeout(r, 100 + Math.floor(rand() * 2000)))
          note = (await jobsOf(study)).length === 0 ? 'study still collecting' : 'study had just completed'
        } else if (phase === 'running') {
          await waitFor('the job to run', async () => (await jobsOf(study)).some((j) => j.state === 'running'), 30_000, 20)
          await new Promise((r) => setTimeout(r, Math.floor(rand() * 800)))
          note = `job ${(await jobsOf(study)).map((j) => j.state).join(',')}`
        } else {
          await waitFor('a delivery to be sending', async () => (await jobsOf(study)).some((j) => j.deliveries.some((d) => d.state === 'sending')), 30_000, 10)
          await new Promise((r) => setTimeout(r, Math.floor(rand() * 1000)))
          const d = (await jobsOf(study)).flatMap((j) => j.deliveries)
          note = `deliveries ${d.map((x) => `${x.state} ${x.sent}/${x.instances}`).join(',')}`
        }
        await kill(target)
      }
      injections.push({ round, phase, target, note, study })
      await waitFor(`round ${round}: the study's jobs to finish`, async () => {
        const jobs = await jobsOf(study)
        return jobs.length > 0 && jobs.every((j) => j.state === 'done' || j.state === 'failed')
      }, 90_000, 250)
    }

    const jobs: Job[] = await box.jobs()
    assert.deepEqual(jobs.filter((j) => j.state !== 'done').map((j) => [j.id, j.state, j.failedReason]), [], 'every job done')
    // Every acknowledged instance was processed: it is in the input of a job of its study.
    const processed = new Set<string>()
    const expected = new Set<string>()
    const studyOfResult = new Map<string, string>()
    for (const job of jobs) {
      for (const file of await box.inputFiles(job.id)) processed.add((await datasetOf(file)).sopInstanceUid)
      const outputDir = join(box.jobFolder(job.id), 'output')
      for (const name of await readdir(outputDir)) {
        if (!name.endsWith('.dcm')) continue
        const sop = (await datasetOf(join(outputDir, name))).sopInstanceUid
        expected.add(sop)
        studyOfResult.set(sop, job.studyInstanceUID)
      }
    }
    const lostInstances = [...acknowledged].filter((sop) => !processed.has(sop))
    const received = await Promise.all((await destination.files()).map(async (f) => (await datasetOf(f)).sopInstanceUid))
    const receivedSet = new Set(received)
    const lostResults = [...expected].filter((sop) => !receivedSet.has(sop))
    const duplicated = received.length - receivedSet.size
    const copies = new Map<string, number>()
    for (const sop of received) copies.set(sop, (copies.get(sop) ?? 0) + 1)
    const twice = [...copies].filter(([, n]) => n > 1)
    const roundOf = (sop: string) => injections.find((i) => i.study === studyOfResult.get(sop))
    const count = (key: 'phase' | 'target', value: string) => injections.filter((i) => i[key] === value).length
    const summary =
      `fault injection, seed ${SEED}: ${injections.length} injections (` +
      PHASES.map((p) => `${p} ${count('phase', p)}`).join(', ') +
      `; receiver ${count('target', 'receiver')}, sender ${count('target', 'sender')}, supervisor ${count('target', 'supervisor')}); ` +
      `${acknowledged.size} instances acknowledged, ${processed.size} processed, ${lostInstances.length} lost; ` +
      `${expected.size} results, ${receivedSet.size} delivered, ${lostResults.length} lost, ${duplicated} duplicated; ${jobs.length} jobs`
    t.diagnostic(summary)
    console.log(summary)
    for (const i of injections) {
      const dups = twice.filter(([sop]) => roundOf(sop) === i).length
      t.diagnostic(`  round ${i.round}: ${i.phase}, kill -9 ${i.target} (${i.note})${dups ? `; ${dups} instance(s) in flight sent again` : ''}`)
    }
    for (const p of PHASES) assert.ok(count('phase', p) >= 3, `at least 3 injections in ${p}`)
    assert.ok(injections.length >= 20)
    assert.deepEqual(lostInstances, [], 'no acknowledged instance lost')
    assert.deepEqual(lostResults, [], 'every result delivered')
    for (const [sop, n] of twice) {
      const round = roundOf(sop)
      assert.equal(n, 2, `${sop} arrived at most twice`)
      assert.ok(round && round.phase === 'sending', `${sop} arrived twice only after a kill while sending (round ${round?.round}, ${round?.phase})`)
    }
    for (const i of injections) assert.ok(twice.filter(([sop]) => roundOf(sop) === i).length <= 1, `round ${i.round}: at most the one instance in flight was sent again`)
  })
})
