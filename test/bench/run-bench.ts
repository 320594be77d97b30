/**
 * `npm run bench`: MagickBox against the reference tools in one run, alternating, several rounds,
 * medians and ratios (ours / theirs), peak RSS, and byte identity checked on every run.
 *
 *   receive 500 × 0.5 MB, one association       box receiver      vs storescp, Orthanc
 *   receive 2,000 over 4 parallel associations   box receiver      vs storescp --fork, Orthanc
 *   receive one ≈1 GB multi-frame instance       box receiver      vs storescp
 *   send 500 and 2,000 to a storescp             box sender        vs storescu
 *   end-to-end overhead (trivial stream)         last ack → first result, minus quiet period and run time
 *   job list API and pages at 100,000 jobs       p50 / p95
 *
 * MAGICKBOX_BENCH_ROUNDS (default 3), MAGICKBOX_BENCH_ONLY (comma list: receive,parallel,large,send,e2e,list),
 * MAGICKBOX_BENCH_ENGINE (lean, the default, or dcmjs-dimse: the receiver engine measured).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join, resolve } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { execa } from 'execa'
import { JobIndex } from '../../supervisor/jobs/job-index.js'
import type { Job } from '../../supervisor/jobs/job.js'
import { readEnvelopeFromBuffer, readInstanceFile } from '../../supervisor/dicom/part10-file.js'
import { echoscu } from '../helpers/dicom-peers.js'
import { newUid } from '../helpers/study-fixtures.js'
import { BENCH_DIR, benchStudy, largeInstance, splitStudy } from './bench-fixtures.js'

const ROOT = resolve(import.meta.dirname, '..', '..')
const ROUNDS = Number(process.env.MAGICKBOX_BENCH_ROUNDS ?? 3)
const ONLY = new Set((process.env.MAGICKBOX_BENCH_ONLY ?? 'receive,parallel,large,send,e2e,list').split(','))
const WORK = join(BENCH_DIR, 'run')
const results: Record<string, unknown>[] = []

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`

async function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => r(port))
    })
  })
}

// Peak resident memory (VmHWM, kB) of a process and its children now alive.
async function peakRss(pid: number): Promise<number> {
  const pids = [pid, ...((await execa('pgrep', ['-P', String(pid)], { reject: false })).stdout.split('\n').filter(Boolean).map(Number))]
  let peak = 0
  for (const p of pids) {
    const status = await readFile(`/proc/${p}/status`, 'utf8').catch(() => '')
    peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0))
  }
  return peak
}

interface Receiver {
  name: string
  port: number
  folder: string
  child: ChildProcess
  stop(): Promise<void>
}

async function waitEcho(port: number, ae: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await echoscu(port, ae)).exitCode === 0) return
    await delay(100)
  }
  throw new Error(`no echo on ${port}`)
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const done = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await done
  clearTimeout(t)
}

async function startOurs(name: string, workers = 0): Promise<Receiver> {
  const data = join(WORK, `ours-${name}`)
  await rm(data, { recursive: true, force: true })
  await mkdir(join(data, 'streams', 'BENCH'), { recursive: true })
  await writeFile(join(data, 'streams', 'BENCH', 'info.json'), JSON.stringify({ AETitle: 'BENCH', runner: 'process', command: ['true'], quietSeconds: 3600 }))
  const engine = process.env.MAGICKBOX_BENCH_ENGINE ?? 'lean'
  await writeFile(join(data, 'settings.json'), JSON.stringify({ admission: { reserveBytes: 0, reservePercent: 0 }, receiver: { workers, engine } }))
  const port = await freePort()
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'supervisor', 'receiver', 'receiver-main.js')], {
    env: { ...process.env, MAGICKBOX_DATA: data, MAGICKBOX_STREAMS: join(data, 'streams'), MAGICKBOX_DICOM_PORT: String(port), MAGICKBOX_LOG_CONSOLE: '0' },
    stdio: 'ignore',
  })
  await waitEcho(port, 'BENCH')
  return { name: 'MagickBox', port, folder: join(data, 'scratch', 'incoming'), child, stop: () => stopChild(child) }
}

async function startStorescp(name: string, fork = false): Promise<Receiver> {
  const folder = join(WORK, `storescp-${name}`)
  await rm(folder, { recursive: true, force: true })
  await mkdir(folder, { recursive: true })
  const port = await freePort()
  const child = spawn('storescp', ['-B', '+xa', ...(fork ? ['--fork'] : []), '-od', folder, String(port)], { env: { ...process.env, TCP_NODELAY: '1' }, stdio: 'ignore' })
  await waitEcho(port, 'ANY')
  return { name: fork ? 'storescp --fork' : 'storescp', port, folder, child, stop: () => stopChild(child) }
}

/**
 * Debian's Orthanc as a receiver: its own storage and SQLite index in a fresh folder, no
 * compression, any called AE title, no plugins, HTTP on loopback only (not used). Started fresh
 * for each run: an instance Orthanc already has is acknowledged without being stored again.
 */
async function startOrthanc(name: string): Promise<Receiver> {
  const folder = join(WORK, `orthanc-${name}`)
  await rm(folder, { recursive: true, force: true })
  await mkdir(folder, { recursive: true })
  const port = await freePort()
  const config = {
    Name: 'MagickBox bench',
    StorageDirectory: join(folder, 'storage'),
    IndexDirectory: join(folder, 'index'),
    StorageCompression: false,
    DicomAet: 'ORTHANC',
    DicomPort: port,
    DicomCheckCalledAet: false,
    HttpPort: await freePort(),
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    Plugins: [],
    SaveJobs: false,
  }
  await writeFile(join(folder, 'orthanc.json'), JSON.stringify(config))
  const child = spawn('Orthanc', [join(folder, 'orthanc.json')], { env: { ...process.env, TCP_NODELAY: '1', PATH: `${process.env.PATH}:/usr/sbin` }, stdio: 'ignore' })
  await waitEcho(port, 'ANY')
  return { name: 'Orthanc', port, folder: join(folder, 'storage'), child, stop: () => stopChild(child) }
}

// Every received file below a folder (any depth), by SOP Instance UID → data set bytes.
async function received(folder: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>()
  const walk = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = join(dir, e.name)
      if (e.isDirectory()) {
        if (!e.name.startsWith('.')) await walk(p)
      } else if (e.isFile() && !e.name.endsWith('.json') && !e.name.endsWith('.part')) {
        const b = await readFile(p)
        try {
          const env = readEnvelopeFromBuffer(b)
          out.set(env.sopInstanceUid, b.subarray(env.datasetOffset))
        } catch {
          // not DICOM
        }
      }
    }
  }
  await walk(folder)
  return out
}

async function clear(folder: string): Promise<void> {
  for (const name of await readdir(folder).catch(() => [] as string[])) if (!name.startsWith('.')) await rm(join(folder, name), { recursive: true, force: true })
}

// Send folders in parallel with storescu (one association each); seconds from start to the last exit.
async function storescuSend(port: number, ae: string, folders: string[]): Promise<number> {
  const t = process.hrtime.bigint()
  const runs = await Promise.all(folders.map((f) => execa('storescu', ['-aec', ae, '+sd', '127.0.0.1', String(port), f], { reject: false })))
  for (const r of runs) if (r.exitCode !== 0) throw new Error(`storescu failed: ${r.stderr}`)
  return Number(process.hrtime.bigint() - t) / 1e9
}

function row(test: string, count: number, ours: number[], theirs: number[], peer: string, extra: Record<string, unknown> = {}) {
  const o = median(ours)
  const t = median(theirs)
  const r = { test, count, oursSeconds: o, theirsSeconds: t, oursPerSecond: count / o, theirsPerSecond: count / t, ratio: t / o, peer, rounds: ours.length, ...extra }
  results.push(r)
  console.log(`${test.padEnd(44)} ours ${(count / o).toFixed(0).padStart(5)}/s  ${peer} ${(count / t).toFixed(0).padStart(5)}/s  ratio ${(t / o).toFixed(2)}  ${Object.entries(extra).map(([k, v]) => `${k} ${v}`).join('  ')}`)
}

async function verifyIdentical(ours: Map<string, Buffer>, theirs: Map<string, Buffer>, expected: number, what: string): Promise<void> {
  if (ours.size !== expected || theirs.size !== expected) throw new Error(`${what}: received ${ours.size} (ours) and ${theirs.size} (theirs) of ${expected}`)
  for (const [sop, bytes] of ours) if (!theirs.get(sop)?.equals(bytes)) throw new Error(`${what}: ${sop} differs from what storescp -B received`)
}

async function benchReceive(label: string, folders: string[], count: number, parallel: boolean) {
  const ours = await startOurs(label)
  const theirs = await startStorescp(label, parallel)
  const o: number[] = []
  const t: number[] = []
  const orthanc: number[] = []
  let orthancRss = 0
  let orthancIdentical = 0
  try {
    for (let round = 0; round < ROUNDS; round++) {
      await clear(ours.folder)
      o.push(await storescuSend(ours.port, 'BENCH', folders))
      await clear(theirs.folder)
      t.push(await storescuSend(theirs.port, 'ANY', folders))
      if (round === 0) await verifyIdentical(await received(ours.folder), await received(theirs.folder), count, label)
      const third = await startOrthanc(label)
      try {
        orthanc.push(await storescuSend(third.port, 'ANY', folders))
        orthancRss = Math.max(orthancRss, await peakRss(third.child.pid!))
        if (round === 0) {
          // Orthanc is a reference for speed; whether it keeps the bytes is only reported.
          const kept = await received(third.folder)
          if (kept.size !== count) throw new Error(`${label}: Orthanc stored ${kept.size} of ${count}`)
          const reference = await received(theirs.folder)
          orthancIdentical = [...kept].filter(([sop, bytes]) => reference.get(sop)?.equals(bytes)).length
        }
      } finally {
        await third.stop()
      }
    }
    row(label, count, o, t, theirs.name, { oursPeakRss: mb(await peakRss(ours.child.pid!)), theirsPeakRss: mb(await peakRss(theirs.child.pid!)), identical: 'yes' })
    row(label, count, o, orthanc, 'Orthanc', { oursPeakRss: mb(await peakRss(ours.child.pid!)), theirsPeakRss: mb(orthancRss), orthancDataSetsIdentical: `${orthancIdentical}/${count}` })
  } finally {
    await ours.stop()
    await theirs.stop()
  }
}

async function benchLarge() {
  const file = await largeInstance(1024)
  const ours = await startOurs('large', 1)
  const theirs = await startStorescp('large')
  const o: number[] = []
  const t: number[] = []
  try {
    for (let round = 0; round < Math.min(ROUNDS, 2); round++) {
      await clear(ours.folder)
      let s = process.hrtime.bigint()
      await execa('storescu', ['-aec', 'BENCH', '127.0.0.1', String(ours.port), file])
      o.push(Number(process.hrtime.bigint() - s) / 1e9)
      await clear(theirs.folder)
      s = process.hrtime.bigint()
      await execa('storescu', ['-aec', 'ANY', '127.0.0.1', String(theirs.port), file])
      t.push(Number(process.hrtime.bigint() - s) / 1e9)
    }
    const a = await received(ours.folder)
    const b = await received(theirs.folder)
    await verifyIdentical(a, b, 1, 'large instance')
    row('receive one 1 GB instance (MB/s)', 1024, o, t, 'storescp', { oursPeakRss: mb(await peakRss(ours.child.pid!)), theirsPeakRss: mb(await peakRss(theirs.child.pid!)), identical: 'yes' })
  } finally {
    await ours.stop()
    await theirs.stop()
  }
}

async function benchSend(count: number) {
  const folder = await benchStudy(count)
  const dest = await startStorescp(`send-${count}`)
  const o: number[] = []
  const t: number[] = []
  let rss = 0
  try {
    for (let round = 0; round < ROUNDS; round++) {
      await clear(dest.folder)
      const script = `
        import { listRoutedFiles } from '${join(ROOT, 'dist/supervisor/sender/routed-files.js')}'
        import { sendInstances } from '${join(ROOT, 'dist/supervisor/sender/send-instances.js')}'
        import { DeliveryLedger } from '${join(ROOT, 'dist/supervisor/sender/delivery-ledger.js')}'
        const { files } = await listRoutedFiles(${JSON.stringify(folder)})
        const t = process.hrtime.bigint()
        const r = await sendInstances(files, { host: '127.0.0.1', port: ${dest.port}, calledAE: 'ANY', callingAE: 'MAGICKBOX', connectTimeoutMs: 5000, responseTimeoutMs: 30000, maxPduLength: 131072 }, new DeliveryLedger(${JSON.stringify(join(WORK, 'ledger'))}, 'd' + Date.now()))
        console.log(JSON.stringify({ seconds: Number(process.hrtime.bigint() - t) / 1e9, acked: r.acknowledged }))`
      const run = await execa('/usr/bin/time', ['-f', '%M', process.execPath, '--input-type=module', '-e', script])
      const out = JSON.parse(run.stdout) as { seconds: number; acked: number }
      if (out.acked !== count) throw new Error(`our sender acknowledged ${out.acked} of ${count}`)
      o.push(out.seconds)
      rss = Math.max(rss, Number(run.stderr.trim().split('\n').at(-1)))
      if (round === 0) {
        const got = await received(dest.folder)
        const sent = await received(folder)
        await verifyIdentical(got, sent, count, `send ${count}`)
      }
      await clear(dest.folder)
      const s = process.hrtime.bigint()
      await execa('storescu', ['-aec', 'ANY', '+sd', '127.0.0.1', String(dest.port), folder])
      t.push(Number(process.hrtime.bigint() - s) / 1e9)
    }
    row(`send ${count} to storescp`, count, o, t, 'storescu', { oursPeakRss: mb(rss), identical: 'yes' })
  } finally {
    await dest.stop()
  }
}

async function benchEndToEnd() {
  const data = join(WORK, 'e2e')
  await rm(data, { recursive: true, force: true })
  const streams = join(data, 'streams')
  await mkdir(join(streams, 'TRIVIAL'), { recursive: true })
  await writeFile(join(streams, 'TRIVIAL', 'run.sh'), '#!/bin/sh\ncp "$(ls "$1"/*.dcm | head -n 1)" "$2"/\n', { mode: 0o755 })
  await writeFile(join(streams, 'TRIVIAL', 'info.json'), JSON.stringify({ AETitle: 'TRIVIAL', runner: 'process', command: ['./run.sh'], quietSeconds: 1 }))
  const dest = await startStorescp('e2e')
  const dicomPort = await freePort()
  await mkdir(data, { recursive: true })
  await writeFile(join(data, 'settings.json'), JSON.stringify({ statusPort: await freePort(), webPort: await freePort(), admission: { reserveBytes: 0, reservePercent: 0 } }))
  await writeFile(join(data, 'routing.json'), JSON.stringify({ routing: [{ name: 'dest', send: [{ '.*': { IP: '127.0.0.1', PORT: dest.port, AETitleTo: 'DEST' } }] }] }))
  const box = spawn(process.execPath, [join(ROOT, 'dist', 'supervisor', 'main.js')], {
    env: { ...process.env, MAGICKBOX_DATA: data, MAGICKBOX_STREAMS: streams, MAGICKBOX_DICOM_PORT: String(dicomPort), MAGICKBOX_LOG_CONSOLE: '0' },
    stdio: 'ignore',
  })
  const overheads: number[] = []
  try {
    await waitEcho(dicomPort, 'MAGICKBOX')
    const study = await benchStudy(20)
    const runs = Math.max(10, ROUNDS * 4)
    for (let i = 0; i < runs; i++) {
      await clear(dest.folder)
      // A new study each time: copy with new UIDs so every run is a new job.
      const folder = join(WORK, `e2e-study-${i}`)
      await rm(folder, { recursive: true, force: true })
      await mkdir(folder)
      for (const name of (await readdir(study)).slice(0, 5)) await execa('cp', [join(study, name), join(folder, name)])
      await execa('dcmodify', ['-nb', '-q', '-gin', '-i', `(0020,000d)=${newUid()}`, '-i', `(0020,000e)=${newUid()}`, ...(await readdir(folder)).map((n) => join(folder, n))])
      await execa('storescu', ['-aec', 'TRIVIAL', '+sd', '127.0.0.1', String(dicomPort), folder])
      const lastAck = Date.now()
      let arrived = 0
      for (let w = 0; w < 400 && !arrived; w++) {
        if ((await readdir(dest.folder)).some((n) => !n.startsWith('.'))) arrived = Date.now()
        else await delay(5)
      }
      if (!arrived) throw new Error('no result arrived')
      const studyUid = readInstanceFile(join(folder, (await readdir(folder))[0]!)).header.studyInstanceUid
      let job: Job | undefined
      for (let w = 0; w < 400 && !job?.finishedAt; w++) {
        for (const name of (await readdir(join(data, 'scratch'))).filter((n) => /^\d{8}-/.test(n))) {
          const j = JSON.parse(await readFile(join(data, 'scratch', name, 'job.json'), 'utf8').catch(() => '{}')) as Job
          if (j.studyInstanceUID === studyUid) job = j
        }
        if (!job?.finishedAt) await delay(10)
      }
      if (!job?.finishedAt || !job.startedAt) throw new Error('the job did not finish')
      const run = (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000
      overheads.push((arrived - lastAck) / 1000 - 1 - run)
    }
  } finally {
    await stopChild(box)
    await dest.stop()
  }
  const r = { test: 'end-to-end overhead (last ack → first result, minus quiet period and run time)', runs: overheads.length, p50Seconds: pct(overheads, 0.5), p95Seconds: pct(overheads, 0.95) }
  results.push(r)
  console.log(`${'end-to-end overhead'.padEnd(44)} p50 ${(r.p50Seconds * 1000).toFixed(0)} ms  p95 ${(r.p95Seconds * 1000).toFixed(0)} ms over ${r.runs} runs`)
}

async function benchJobList() {
  const data = join(WORK, 'list')
  const index = join(data, 'index.sqlite')
  await mkdir(data, { recursive: true })
  if (!(await readFile(join(data, 'built'), 'utf8').catch(() => ''))) {
    await rm(data, { recursive: true, force: true })
    await mkdir(data, { recursive: true })
    const db = new JobIndex(index)
    const streams = ['ProcPics', 'StudyInfo', 'BrainSeg', 'CTPerf']
    db.transaction(() => {
      for (let i = 0; i < 100_000; i++) {
        const at = new Date(Date.UTC(2026, 5, 1) + i * 150_000).toISOString()
        const id = `${at.slice(0, 10).replace(/-/g, '')}-${at.slice(11, 19).replace(/:/g, '')}-${i.toString(16).padStart(6, '0')}`
        db.upsert(
          {
            id, state: i % 50 === 0 ? 'failed' : 'done', stream: streams[i % 4]!, calledAE: streams[i % 4]!, callingAE: `SCANNER${i % 17}`, callerIP: `10.0.${i % 255}.${i % 7}`,
            studyInstanceUID: `2.25.${1_000_000 + i}`, study: { patientId: `P${i}`, patientName: `DOE^JOHN${i % 1000}`, accessionNumber: `A${i}`, studyDate: '20260101', studyDescription: 'CT HEAD', modality: 'CT' },
            instances: 100, bytes: 5e7, receivedAt: at, lastArrivalAt: at, completedAt: at, completedReason: 'x', lateArrivalOf: [], queuedAt: at, waitingReason: undefined, runs: 1, startedAt: at,
            finishedAt: new Date(Date.parse(at) + 60_000).toISOString(), exitCode: 0, outcome: 'success', outcomeMessage: 'ok', failedReason: undefined, deliveries: [], routingNote: undefined,
            history: [{ at, from: undefined, to: 'done', reason: 'x' }],
          },
          i,
        )
      }
    })
    db.close()
    await writeFile(join(data, 'built'), 'yes')
  }
  const webPort = await freePort()
  await writeFile(join(data, 'settings.json'), JSON.stringify({ webPort, statusPort: await freePort() }))
  const env = { ...process.env, MAGICKBOX_DATA: data, MAGICKBOX_STREAMS: join(data, 'streams'), MAGICKBOX_LOG_CONSOLE: '0' }
  await execa(process.execPath, [join(ROOT, 'dist', 'supervisor', 'cli.js'), 'user', 'set-password', 'bench', '--role', 'viewer', '--keep'], { env: { ...env, MAGICKBOX_PASSWORD: 'benchmark user 1' } })
  const token = (await execa(process.execPath, [join(ROOT, 'dist', 'supervisor', 'cli.js'), 'user', 'token', 'bench'], { env })).stdout.trim()
  const web = spawn(process.execPath, [join(ROOT, 'dist', 'web', 'server.js')], { env, stdio: 'ignore' })
  try {
    for (let i = 0; i < 100; i++) {
      if (await fetch(`http://127.0.0.1:${webPort}/healthz`).then((r) => r.ok, () => false)) break
      await delay(100)
    }
    const queries = ['', 'q=john77', 'q=p99999', 'stream=CTPerf', 'state=failed', 'day=2026-07-15', 'before=2026-09-01T00:00:00.000Z%7Cx']
    const times: number[] = []
    for (let round = 0; round < 30; round++) {
      for (const q of queries) {
        const t = process.hrtime.bigint()
        const r = await fetch(`http://127.0.0.1:${webPort}/api/v1/jobs?limit=50&${q}`, { headers: { authorization: `Bearer ${token}` } })
        if (!r.ok) throw new Error(`job list answered ${r.status}`)
        await r.json()
        times.push(Number(process.hrtime.bigint() - t) / 1e6)
      }
    }
    const r = { test: 'job list API at 100,000 jobs (page of 50, with and without filters)', requests: times.length, p50Ms: pct(times, 0.5), p95Ms: pct(times, 0.95) }
    results.push(r)
    console.log(`${'job list API, 100,000 jobs'.padEnd(44)} p50 ${r.p50Ms.toFixed(1)} ms  p95 ${r.p95Ms.toFixed(1)} ms over ${r.requests} requests`)
    // The pages as a browser gets them (HTML): the job list with its heat-map and run statistics,
    // a search, the studies and the streams pages.
    const pages = ['/', '/?q=john77', '/?state=failed', '/studies', '/streams']
    const pageTimes: number[] = []
    const perPage = new Map<string, number[]>(pages.map((path) => [path, []]))
    // One request each first: the first page after a start fills the heat-map's kept counts.
    for (const path of pages) await (await fetch(`http://127.0.0.1:${webPort}${path}`, { headers: { authorization: `Bearer ${token}` } })).text()
    for (let round = 0; round < 40; round++) {
      for (const path of pages) {
        const t = process.hrtime.bigint()
        const response = await fetch(`http://127.0.0.1:${webPort}${path}`, { headers: { authorization: `Bearer ${token}` } })
        if (!response.ok) throw new Error(`${path} answered ${response.status}`)
        await response.text()
        const ms = Number(process.hrtime.bigint() - t) / 1e6
        pageTimes.push(ms)
        perPage.get(path)!.push(ms)
      }
    }
    const each = Object.fromEntries([...perPage].map(([path, times]) => [path, { p50Ms: pct(times, 0.5), p95Ms: pct(times, 0.95) }]))
    const p = { test: 'pages (HTML) at 100,000 jobs: job list, search, failed, studies, streams', requests: pageTimes.length, p50Ms: pct(pageTimes, 0.5), p95Ms: pct(pageTimes, 0.95), each }
    results.push(p)
    console.log(`${'pages (HTML), 100,000 jobs'.padEnd(44)} p50 ${p.p50Ms.toFixed(1)} ms  p95 ${p.p95Ms.toFixed(1)} ms over ${p.requests} requests`)
    for (const [path, t] of Object.entries(each)) console.log(`${`  ${path}`.padEnd(44)} p50 ${t.p50Ms.toFixed(1)} ms  p95 ${t.p95Ms.toFixed(1)} ms`)
  } finally {
    await stopChild(web)
  }
}

await mkdir(WORK, { recursive: true })
console.log(`MagickBox benchmark: ${ROUNDS} round(s), ${new Date().toISOString()}, node ${process.version}, ${(await execa('nproc')).stdout} cores`)
if (ONLY.has('receive')) await benchReceive('receive 500 × 0.5 MB, 1 association', [await benchStudy(500)], 500, false)
if (ONLY.has('parallel')) await benchReceive('receive 2000 × 0.5 MB, 4 associations', await splitStudy(await benchStudy(2000), 4), 2000, true)
if (ONLY.has('large')) await benchLarge()
if (ONLY.has('send')) {
  await benchSend(500)
  await benchSend(2000)
}
if (ONLY.has('e2e')) await benchEndToEnd()
if (ONLY.has('list')) await benchJobList()
await mkdir(join(ROOT, 'test-output'), { recursive: true })
await writeFile(join(ROOT, 'test-output', 'bench.json'), JSON.stringify({ at: new Date().toISOString(), rounds: ROUNDS, results }, null, 2))
console.log('written to test-output/bench.json')
