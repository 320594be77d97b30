/**
 * The live receiver (the built box, one receiver process) under a seeded campaign of hostile
 * network cases (network/hostile-cases.ts: truncated PDUs, wrong lengths, PDUs out of order,
 * P-DATA before the association, unknown PDU types, abort storms, malformed A-ASSOCIATE-RQs,
 * broken data sets, mutated conversations) while slowloris senders try to hold associations
 * open, then 100 associations at once, a C-ECHO flood that never reads the answers, and deflate
 * bombs. Throughout, the receiver answers each case the DICOM way (the lean engine),
 * stays up (same process, never restarted) and answers dcmtk's echoscu every 100 cases, its
 * memory stays bounded, nothing partial is visible in scratch/incoming/, and no job is made of
 * garbage. FUZZ_NETWORK_CASES (default 3000, at least 2,000 by the issue; the dcmjs-dimse engine:
 * FUZZ_NETWORK_CASES_DCMJS, default 400), FUZZ_SEED and FUZZ_RECEIVER_ENGINE (one engine only)
 * change the campaign.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { PduType } from '../../supervisor/dicom/pdu/pdu-types.js'
import { BoxProcess } from '../helpers/box-process.js'
import { echoscu } from '../helpers/dicom-peers.js'
import { writeProcessStreams } from '../helpers/fixture-streams.js'
import { tempFolder } from '../helpers/temp-folder.js'
import { waitFor } from '../helpers/wait-for.js'
import { playCase, type CaseResult, type HostileCase } from './network/hostile-client.js'
import { HostileCaseGenerator, type CampaignAETitles, type HostileBurst } from './network/hostile-cases.js'
import { echoFlood } from './network/echo-flood.js'
import { incomingState, receiverUnit, rssMb } from './network/receiver-watch.js'
import { Slowloris, type SlowlorisReport } from './network/slowloris.js'
import { associateRQ, datasetPdus, echoPdu, RELEASE, storeCommandPdu, tinyCtDataset } from './network/wire-messages.js'

const SEED = process.env.FUZZ_SEED ?? 'npm-test'
/**
 * The engines under test. `lean` (the default) must answer every case the DICOM way. dcmjs-dimse
 * (selectable with receiver.engine) does not always: it closes the connection without an A-ABORT
 * or waits for the idle timeout on some malformed PDUs, which is its own behaviour; there the
 * campaign is shorter and holds it to what protects the box and its data: it stays up, answers
 * C-ECHO, keeps its memory, stores nothing partial and nothing of garbage, and keeps every
 * instance it acknowledged.
 */
const ENGINES = [
  { engine: 'lean', cases: Number(process.env.FUZZ_NETWORK_CASES ?? 3000), dicomWay: true },
  { engine: 'dcmjs-dimse', cases: Number(process.env.FUZZ_NETWORK_CASES_DCMJS ?? 400), dicomWay: false },
].filter((e) => !process.env.FUZZ_RECEIVER_ENGINE || e.engine === process.env.FUZZ_RECEIVER_ENGINE)
const CONCURRENCY = 8
const IDLE_SECONDS = 4
const AE: CampaignAETitles = { garbage: 'GARBAGE', hold: 'HOLD', mutant: 'MUTANT', own: 'MAGICKBOX' }
/** Growth of the receiver's resident memory over the campaign that is still "bounded". */
const RSS_GROWTH_LIMIT_MB = 80

for (const { engine, cases: CASES, dicomWay } of ENGINES)
describe(`the receiver (${engine} engine) under a hostile network campaign`, () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  let box: BoxProcess
  let receiverPid = 0
  const acknowledged = new Set<string>()
  const rss: number[] = []

  before(async () => {
    temp = await tempFolder()
    const streams = join(temp.path, 'streams')
    await writeProcessStreams(streams, [
      { aeTitle: AE.garbage, script: 'true', info: { quietSeconds: 1 } },
      { aeTitle: AE.hold, script: 'true', info: { quietSeconds: 3600 } },
      { aeTitle: AE.mutant, script: 'true', info: { quietSeconds: 3600 } },
    ])
    box = await BoxProcess.start({
      dataDir: join(temp.path, 'data'),
      streamsDir: streams,
      settings: { receiver: { engine, workers: 1, idleTimeoutSeconds: IDLE_SECONDS, maxAssociations: 400, maxAssociationsPerIP: 300, maxInstanceBytes: 1024 * 1024 } },
    })
    receiverPid = (await receiverUnit(box)).pid
    rss.push(rssMb(receiverPid)!)
  })

  after(async () => {
    await box?.stop()
    await temp?.remove()
  })

  // Everything the box must always hold to: same receiver, answering C-ECHO, nothing partial.
  const invariants = async (when: string, problems: string[]) => {
    const echo = await echoscu(box.port, AE.own)
    if (echo.exitCode !== 0) problems.push(`${when}: echoscu failed: ${echo.output.trim().split('\n').slice(-2).join(' ')}`)
    const size = rssMb(receiverPid)
    if (size === undefined) problems.push(`${when}: the receiver process ${receiverPid} is gone`)
    else rss.push(size)
    for (const p of incomingState(box.options.dataDir).problems) problems.push(`${when}: ${p}`)
  }

  it(`answers ${CASES} seeded hostile cases${dicomWay ? ' the DICOM way' : ''}, stays up, bounded and clean, with slowloris senders holding on`, async (t) => {
    const started = Date.now()
    const generator = new HostileCaseGenerator(SEED, AE)
    const cases = generator.cases(CASES)
    const slow = [
      ...(['silent-connect', 'trickled-request', 'silent-association'] as const).flatMap((style) => [new Slowloris(box.port, style, AE.garbage), new Slowloris(box.port, style, AE.garbage)]),
      new Slowloris(box.port, 'trickled-data', AE.garbage, 1000),
      new Slowloris(box.port, 'trickled-data', AE.garbage, 1000),
    ]
    for (const s of slow) s.start()

    const failures: string[] = []
    const problems: string[] = []
    const byKind = new Map<string, number>()
    let connections = 0
    let echoChecks = 0
    const play = async (c: HostileCase) => {
      const result: CaseResult = await playCase(box.port, c)
      connections++
      const problem = result.error ?? c.check?.(result)
      if (problem) failures.push(`case ${c.id} (${c.kind}: ${c.what}): ${problem}`)
      else if (c.stores && result.statuses.every((s) => s === 0)) for (const uid of c.stores) acknowledged.add(uid)
    }
    for (let batch = 0; batch < cases.length; batch += 100) {
      const queue = cases.slice(batch, batch + 100)
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let c = queue.shift(); c; c = queue.shift()) {
            byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1)
            if ('copies' in c) await Promise.all((c as HostileBurst).copies.map(play))
            else await play(c)
          }
        }),
      )
      await invariants(`after case ${Math.min(batch + 100, cases.length)}`, problems)
      echoChecks++
    }
    // A short campaign: give the slow senders the time for the box to cut each kind off once.
    const mustBeCut = slow.filter((s) => s.style !== 'trickled-data')
    await waitFor('the box to cut off every timed-out slowloris', () => mustBeCut.every((s) => s.cuts > 0), (IDLE_SECONDS + 4) * 1000, 200).catch(() => undefined)
    const slowReports: SlowlorisReport[] = []
    for (const s of slow) slowReports.push(await s.stop())

    // Let the receiver finish with the last connections, then look at what is left.
    await waitFor('the receiver to drop every temp file', () => incomingState(box.options.dataDir).temps.length === 0, 15_000, 250).catch(() => undefined)
    // GARBAGE's quiet period is 1 s: anything that slipped into storage there would be a job by now.
    await new Promise((r) => setTimeout(r, 3000))
    const state = incomingState(box.options.dataDir)
    const jobs = await box.jobs()
    const unit = await receiverUnit(box)
    const log = await box.log('receiver')
    const swallowed = log.split('\n').filter((line) => /receiver error:|could not start an association|TypeError|RangeError/.test(line))
    const held = state.groups.filter((g) => g.calledAE === AE.hold).flatMap((g) => g.instances)
    const mutants = state.groups.filter((g) => g.calledAE === AE.mutant).flatMap((g) => g.instances)

    const cut = (style: string) => slowReports.filter((r) => r.style === style).flatMap((r) => r.cutAfterMs)
    const summary = [
      `${cases.length} cases (${connections} connections) in ${((Date.now() - started) / 1000).toFixed(1)} s, seed ${SEED}: ${[...byKind].map(([k, n]) => `${k} ${n}`).join(', ')}`,
      `behaviour failures ${failures.length}; echoscu checks ${echoChecks}, failed ${problems.filter((p) => p.includes('echoscu')).length}; other problems ${problems.filter((p) => !p.includes('echoscu')).length}`,
      `receiver pid ${receiverPid} -> ${unit.pid}, restarts ${unit.restarts}; RSS ${rss[0]!.toFixed(0)} MB at start, max ${Math.max(...rss).toFixed(0)} MB, end ${rss.at(-1)!.toFixed(0)} MB`,
      `slowloris: ${slowReports.map((r) => `${r.style} ${r.connections} conn, cut after ${r.cutAfterMs.length ? `${Math.min(...r.cutAfterMs)}-${Math.max(...r.cutAfterMs)} ms` : '-'}${r.openAtStopMs !== undefined ? `, open ${r.openAtStopMs} ms at the end` : ''}`).join('; ')}`,
      `kept: ${held.length} control instance(s) of ${acknowledged.size} acknowledged, ${mutants.length} mutated-but-valid instance(s), ${state.groups.filter((g) => g.calledAE === AE.garbage).length} garbage group(s), ${state.temps.length} temp file(s), ${jobs.length} job(s); unexpected errors in the receiver log ${swallowed.length}`,
    ]
    for (const line of summary) t.diagnostic(line)
    console.log(`network campaign:\n  ${summary.join('\n  ')}`)
    for (const f of failures.slice(0, 30)) t.diagnostic(f)
    for (const p of problems.slice(0, 30)) t.diagnostic(p)

    if (dicomWay) assert.deepEqual(failures, [], 'every case answered the DICOM way')
    assert.deepEqual(problems, [], 'echo answered, receiver alive and nothing partial after every 100 cases')
    assert.ok(cases.length >= CASES)
    assert.equal(unit.pid, receiverPid, 'the same receiver process throughout')
    assert.equal(unit.restarts, 0, 'the receiver never restarted')
    assert.deepEqual(swallowed, [], 'no unexpected exception inside the receiver')
    assert.ok(Math.max(...rss) - rss[0]! < RSS_GROWTH_LIMIT_MB, `receiver RSS grew from ${rss[0]!.toFixed(0)} to ${Math.max(...rss).toFixed(0)} MB`)
    assert.deepEqual(state.temps, [], 'no temp file left behind by an aborted instance')
    assert.deepEqual(state.problems, [])
    assert.equal(state.groups.filter((g) => g.calledAE === AE.garbage).length, 0, 'nothing of the garbage cases was stored')
    assert.deepEqual(jobs.map((j) => `${j.id} ${j.stream}`), [], 'no job was made of garbage')
    assert.deepEqual(new Set(held), acknowledged, 'every acknowledged control instance is kept, whole, and nothing else in its stream')
    // Slowloris: a silent connection, a trickled request and a silent association are cut by the timeouts.
    for (const style of ['silent-connect', 'trickled-request', 'silent-association']) {
      assert.ok(cut(style).length > 0, `${style} was cut off`)
      assert.ok(Math.max(...cut(style)) < (IDLE_SECONDS + 3) * 1000, `${style} lived at most ${Math.max(...cut(style))} ms`)
    }
  })

  it('serves 100 associations at once, each answering C-ECHO and some storing, within bounded memory', async (t) => {
    const before = rssMb(receiverPid)!
    let open = 0
    let release!: () => void
    const allOpen = new Promise<void>((resolve) => (release = resolve))
    let peak = before
    const barrier = async () => {
      if (++open === 100) {
        peak = Math.max(peak, rssMb(receiverPid) ?? 0)
        release()
      }
      await allOpen
    }
    const stores: string[] = []
    const clients = Array.from({ length: 100 }, (_, i) => {
      const uid = `2.25.100100.${i}`
      const store = i % 5 === 0
      if (store) stores.push(uid)
      const steps = [
        { send: associateRQ(AE.hold, `PAR${i}`) },
        { expect: [PduType.AssociateAC] },
        { barrier },
        { send: echoPdu(i + 1) },
        { expect: [PduType.PData] },
        ...(store ? [{ send: Buffer.concat([storeCommandPdu(uid, i + 2), datasetPdus(tinyCtDataset(uid, '2.25.100100'))]) }, { expect: [PduType.PData] }] : []),
        { send: RELEASE },
        { expect: [PduType.ReleaseRP] },
      ]
      return playCase(box.port, { id: i, kind: 'parallel', what: `association ${i} of 100`, steps, lingerMs: 0 })
    })
    const results = await Promise.all(clients)
    const after = rssMb(receiverPid)!
    const failed = results.map((r, i) => (r.missed.length || r.error || r.statuses.some((s) => s !== 0) ? `association ${i}: ${r.error ?? r.missed.join('; ')} statuses [${r.statuses}]` : undefined)).filter(Boolean)
    const kept = incomingState(box.options.dataDir).groups.filter((g) => g.calledAE === AE.hold).flatMap((g) => g.instances)
    const line = `100 parallel associations: ${100 - failed.length} served, ${results.reduce((n, r) => n + r.statuses.length, 0)} responses, ${stores.length} stores; receiver RSS ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB with all open, ${after.toFixed(0)} MB after`
    t.diagnostic(line)
    console.log(line)
    assert.deepEqual(failed, [])
    assert.equal(open, 100, 'all 100 were open at once')
    for (const uid of stores) assert.ok(kept.includes(uid), `${uid} kept`)
    assert.equal((await echoscu(box.port, AE.own)).exitCode, 0)
    assert.ok(peak - rss[0]! < RSS_GROWTH_LIMIT_MB, `receiver RSS ${peak.toFixed(0)} MB with 100 associations open`)
    assert.equal((await receiverUnit(box)).restarts, 0)
  })

  it('stops reading a peer that floods it with C-ECHO requests and never reads the answers, and keeps its memory', async (t) => {
    const before = rssMb(receiverPid)!
    const flood = await echoFlood(box.port, AE.garbage, 64 * 1024 * 1024, 4000)
    const during = rssMb(receiverPid)!
    const echo = await echoscu(box.port, AE.own)
    const line = `C-ECHO flood never reading the answers: ${flood.requests} requests (${(flood.sentBytes / 1024 ** 2).toFixed(1)} MB) taken before the box stopped reading (${flood.blocked ? 'blocked' : 'never blocked'}); receiver RSS ${before.toFixed(0)} MB before, ${during.toFixed(0)} MB after`
    t.diagnostic(line)
    console.log(line)
    assert.ok(flood.blocked, 'the box stopped reading the flood')
    assert.ok(during - before < 40, `RSS grew by ${(during - before).toFixed(0)} MB`)
    assert.equal(echo.exitCode, 0)
    assert.equal((await receiverUnit(box)).restarts, 0)
  })

  it('refuses deflate bombs (under 1 MiB inflating to 1 GiB) with a failure status, inflating no more than 64 MiB each', async (t) => {
    const generator = new HostileCaseGenerator(`${SEED}:bombs`, AE)
    const before = rssMb(receiverPid)!
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(receiverPid) ?? 0)), 20)
    const failures: string[] = []
    const play = async (c: HostileCase) => {
      const problem = c.check?.(await playCase(box.port, c))
      if (problem) failures.push(`${c.what}: ${problem}`)
    }
    // Two one after the other, then two at once, with a C-ECHO alongside.
    await play(generator.deflateBomb())
    await play(generator.deflateBomb())
    const [, , echo] = await Promise.all([play(generator.deflateBomb()), play(generator.deflateBomb()), echoscu(box.port, AE.own)])
    clearInterval(sampler)
    const line = `4 deflate bombs refused: receiver RSS ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB, ${rssMb(receiverPid)!.toFixed(0)} MB after`
    t.diagnostic(line)
    console.log(line)
    assert.deepEqual(failures, [])
    assert.equal(echo.exitCode, 0)
    assert.ok(peak - before < 2 * 64 + 96, `RSS grew by ${(peak - before).toFixed(0)} MB for two bombs at once`)
    assert.equal((await receiverUnit(box)).restarts, 0)
    assert.equal(incomingState(box.options.dataDir).groups.filter((g) => g.calledAE === AE.garbage).length, 0)
  })
})
