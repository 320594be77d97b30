/**
 * The pipeline end to end with real dcmtk peers and process-runner streams: study completion,
 * job records, routing by outcome, delivery retries, and recovery from kill -9.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { BoxProcess } from '../helpers/box-process.js'
import { bySopInstance } from '../helpers/dataset-bytes.js'
import { echoscu, Storescp, storescu } from '../helpers/dicom-peers.js'
import { COPY_INPUT, writeProcessStreams } from '../helpers/fixture-streams.js'
import { freePort } from '../helpers/ports.js'
import { CT_TEMPLATE, makeStudy, MR_TEMPLATE } from '../helpers/study-fixtures.js'
import { tempFolder } from '../helpers/temp-folder.js'
import { waitFor } from '../helpers/wait-for.js'

const toPeer = (peer: { port: number }, calledAE = 'DEST') => ({ IP: '127.0.0.1', PORT: peer.port, AETitleTo: calledAE, AETitleSender: 'MAGICKBOX' })

describe('the pipeline', () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  let streams: string
  const boxes: BoxProcess[] = []
  const peers: Storescp[] = []
  let n = 0
  const startBox = async (options: { routing?: unknown; settings?: Record<string, unknown> } = {}) => {
    const box = await BoxProcess.start({ dataDir: join(temp.path, `data-${++n}`), streamsDir: streams, ...options })
    boxes.push(box)
    return box
  }
  const startPeer = async (extra: string[] = []) => {
    const peer = await Storescp.start(join(temp.path, `peer-${++n}`), extra)
    peers.push(peer)
    return peer
  }

  before(async () => {
    temp = await tempFolder()
    streams = join(temp.path, 'streams')
    await writeProcessStreams(streams, [
      { aeTitle: 'COPY', script: COPY_INPUT },
      { aeTitle: 'CRASH', script: 'echo "about to fail" >&2\nexit 3' },
      { aeTitle: 'PARTIAL', script: `${COPY_INPUT}\necho '[{"success": "partial", "message": "2 of 3 done"}]' > "$2/proc.json"` },
      { aeTitle: 'HANG', script: 'echo "hanging"\nsleep 600', info: { timeoutMinutes: 0.03 } },
      { aeTitle: 'SLOW', script: `sleep 2\n${COPY_INPUT}`, info: { quietSeconds: 2 } },
      { aeTitle: 'PAIR', script: 'sleep 3', info: { concurrency: 2 } },
      { aeTitle: 'SINGLE', script: 'sleep 3' },
    ])
  })

  after(async () => {
    for (const box of boxes) await box.stop()
    for (const peer of peers) await peer.stop()
    await temp?.remove()
  })

  it('runs a study through its stream and delivers the output, recording every step in job.json', async () => {
    const peer = await startPeer()
    const box = await startBox({
      settings: { defaultDestination: { host: '127.0.0.1', port: peer.port, calledAE: 'DEFAULT' } },
      routing: { routing: [{ name: 'back to the default destination', AETitleIn: 'copy', send: [{ success: { IP: '$me', PORT: '$port' } }] }] },
    })
    const files = await makeStudy(CT_TEMPLATE, 4, join(temp.path, 'study-a'))
    assert.equal((await storescu(box.port, 'COPY', files, [], 'SCANNER1')).exitCode, 0)
    const [job] = await box.waitForFinishedJobs(1)
    assert.ok(job)
    assert.equal(job.state, 'done', job.failedReason)
    assert.equal(job.stream, 'COPY')
    assert.equal(job.calledAE, 'COPY')
    assert.equal(job.callingAE, 'SCANNER1')
    assert.equal(job.callerIP, '127.0.0.1')
    assert.equal(job.instances, 4)
    assert.equal(job.exitCode, 0)
    assert.equal(job.outcome, 'success')
    assert.match(job.completedReason, /no new instance for 1 s/)
    for (const field of ['receivedAt', 'completedAt', 'startedAt', 'finishedAt'] as const) assert.ok(!Number.isNaN(Date.parse(job[field] ?? '')), `${field} is an ISO time`)
    assert.deepEqual(job.history.map((h) => h.to), ['queued', 'running', 'routing', 'done'])
    assert.equal(job.deliveries.length, 1)
    const [delivery] = job.deliveries
    assert.deepEqual([delivery!.state, delivery!.sent, delivery!.failed, delivery!.attempts], ['done', 4, 0, 1])
    assert.deepEqual(delivery!.destination, { host: '127.0.0.1', port: peer.port, calledAE: 'DEFAULT', callingAE: 'MAGICKBOX' })
    assert.match(await readFile(join(box.jobFolder(job.id), 'processing.log'), 'utf8'), /copied 4 file\(s\)/)
    assert.equal((await peer.files()).length, 4)
    assert.match(await box.log('routing'), /rule "back to the default destination": matches/)
  })

  it('makes a new job of instances that arrive after their study\'s job was created, and says so', async () => {
    const box = await startBox()
    const files = await makeStudy(MR_TEMPLATE, 3, join(temp.path, 'study-late'))
    assert.equal((await storescu(box.port, 'COPY', files.slice(0, 2))).exitCode, 0)
    const [first] = await box.waitForFinishedJobs(1)
    assert.equal((await storescu(box.port, 'COPY', files.slice(2))).exitCode, 0)
    const jobs = await box.waitForFinishedJobs(2)
    const late = jobs.find((j) => j.id !== first!.id)!
    assert.equal(late.instances, 1)
    assert.equal(late.studyInstanceUID, first!.studyInstanceUID)
    assert.deepEqual(late.lateArrivalOf, [first!.id])
    assert.match(late.completedReason, new RegExp(`arrived after job ${first!.id} was created for the same study`))
  })

  it('keeps the results in the job and says why when there is no routing.json', async () => {
    const box = await startBox()
    assert.equal((await storescu(box.port, 'COPY', await makeStudy(CT_TEMPLATE, 1, join(temp.path, 'study-noroute')))).exitCode, 0)
    const [job] = await box.waitForFinishedJobs(1)
    assert.equal(job!.state, 'done')
    assert.match(job!.routingNote ?? '', /no routing\.json: nothing was sent/)
    assert.equal(job!.deliveries.length, 0)
    assert.match(await box.log('routing'), /no routing\.json/)
  })

  it('routes by outcome: a crashed stream\'s job goes to the "failed" destination, a partial one to "partial"', async () => {
    const onFailure = await startPeer()
    const onSuccess = await startPeer()
    const onPartial = await startPeer()
    const box = await startBox({
      routing: {
        routing: [
          { name: 'by outcome', RouteDirectory: 'INPUT', send: [{ '^success$': toPeer(onSuccess), '^failed$': toPeer(onFailure), partial: toPeer(onPartial) }] },
        ],
      },
    })
    assert.equal((await storescu(box.port, 'CRASH', await makeStudy(CT_TEMPLATE, 2, join(temp.path, 'study-crash')))).exitCode, 0)
    assert.equal((await storescu(box.port, 'PARTIAL', await makeStudy(CT_TEMPLATE, 3, join(temp.path, 'study-partial')))).exitCode, 0)
    const jobs = await box.waitForFinishedJobs(2)
    const crashed = jobs.find((j) => j.stream === 'CRASH')!
    const partial = jobs.find((j) => j.stream === 'PARTIAL')!
    assert.deepEqual([crashed.state, crashed.outcome, crashed.exitCode], ['done', 'failed', 3])
    assert.match(crashed.outcomeMessage ?? '', /exited with code 3/)
    assert.match(await readFile(join(box.jobFolder(crashed.id), 'processing.log'), 'utf8'), /about to fail/)
    assert.deepEqual([partial.state, partial.outcome, partial.outcomeMessage], ['done', 'partial', '2 of 3 done'])
    assert.equal((await onFailure.files()).length, 2)
    assert.equal((await onPartial.files()).length, 3)
    assert.equal((await onSuccess.files()).length, 0)
  })

  it('runs a stream\'s jobs `concurrency` at a time, one after the other when it is 1, and streams beside each other', async () => {
    const box = await startBox()
    for (const [ae, count] of [['PAIR', 2], ['SINGLE', 2]] as const) {
      for (let i = 0; i < count; i++) assert.equal((await storescu(box.port, ae, await makeStudy(CT_TEMPLATE, 1, join(temp.path, `conc-${ae}-${i}`)))).exitCode, 0)
    }
    const jobs = await box.waitForFinishedJobs(4, 60_000)
    const runs = (ae: string) => jobs.filter((j) => j.stream === ae).map((j) => ({ start: Date.parse(j.startedAt!), end: Date.parse(j.finishedAt!) })).sort((a, b) => a.start - b.start)
    const overlap = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end
    const [p1, p2] = runs('PAIR')
    const [s1, s2] = runs('SINGLE')
    assert.ok(overlap(p1!, p2!), 'PAIR (concurrency 2) ran its two jobs at once')
    assert.ok(!overlap(s1!, s2!), 'SINGLE (concurrency 1) ran its jobs one after the other')
    assert.ok(overlap(p1!, s1!) || overlap(p2!, s1!), 'the two streams ran beside each other')
  })

  it('stops a hanging stream at its time limit, fails the job with the reason, and runs the next one', async () => {
    const box = await startBox()
    assert.equal((await storescu(box.port, 'HANG', await makeStudy(CT_TEMPLATE, 1, join(temp.path, 'study-hang-1')))).exitCode, 0)
    assert.equal((await storescu(box.port, 'HANG', await makeStudy(CT_TEMPLATE, 1, join(temp.path, 'study-hang-2')))).exitCode, 0)
    const jobs = await box.waitForFinishedJobs(2, 30_000)
    for (const job of jobs) {
      assert.deepEqual([job.state, job.outcome], ['done', 'failed'])
      assert.match(job.outcomeMessage ?? '', /time limit of 0\.03 minute/)
      assert.match(await readFile(join(box.jobFolder(job.id), 'processing.log'), 'utf8'), /timed out/)
    }
  })

  it('never lets an unreachable destination delay another, retries it, and fails the job with the reason when it gives up', async () => {
    const reachable = await startPeer()
    const closedPort = await freePort()
    const box = await startBox({
      settings: { delivery: { firstRetrySeconds: 1, factor: 1, maxAttempts: 3, connectTimeoutSeconds: 2 } },
      routing: { routing: [{ name: 'two places', send: [{ '.*': { IP: '127.0.0.1', PORT: closedPort, AETitleTo: 'DOWN' } }, { '.*': toPeer(reachable) }] }] },
    })
    assert.equal((await storescu(box.port, 'COPY', await makeStudy(CT_TEMPLATE, 2, join(temp.path, 'study-down')))).exitCode, 0)
    const [job] = await box.waitForFinishedJobs(1, 30_000)
    const down = job!.deliveries.find((d) => d.destination.port === closedPort)!
    const up = job!.deliveries.find((d) => d.destination.port === reachable.port)!
    assert.deepEqual([up.state, up.sent, up.attempts], ['done', 2, 1])
    assert.deepEqual([down.state, down.sent, down.failed, down.attempts], ['failed', 0, 2, 3])
    assert.ok(Date.parse(up.finishedAt!) < Date.parse(down.finishedAt!) - 1500, 'the reachable destination finished long before the unreachable one gave up')
    assert.equal(job!.state, 'failed')
    assert.match(job!.failedReason ?? '', new RegExp(`delivery to DOWN@127\\.0\\.0\\.1:${closedPort} gave up after 3 attempt\\(s\\): cannot connect`))
    assert.match(await box.log('sender'), /retry 2 of 3 in 1 s/)
  })

  it('delivers to a destination that comes back, sending each instance once', async () => {
    const port = await freePort()
    const box = await startBox({
      settings: { delivery: { firstRetrySeconds: 2, factor: 1, maxAttempts: 5, connectTimeoutSeconds: 2 } },
      routing: { routing: [{ name: 'late peer', send: [{ '.*': { IP: '127.0.0.1', PORT: port, AETitleTo: 'LATE' } }] }] },
    })
    assert.equal((await storescu(box.port, 'COPY', await makeStudy(CT_TEMPLATE, 3, join(temp.path, 'study-comeback')))).exitCode, 0)
    await waitFor('a first failed attempt', async () => (await box.jobs())[0]?.deliveries[0]?.attempts === 1 && (await box.jobs())[0]?.deliveries[0]?.state === 'pending')
    const { spawn } = await import('node:child_process')
    const folder = join(temp.path, 'late-peer')
    const { mkdir } = await import('node:fs/promises')
    await mkdir(folder)
    const late = spawn('storescp', ['-B', '+xa', '+uf', '-od', folder, String(port)], { env: { ...process.env, TCP_NODELAY: '1' }, stdio: 'ignore' })
    try {
      const [job] = await box.waitForFinishedJobs(1, 30_000)
      assert.equal(job!.state, 'done')
      assert.equal(job!.deliveries[0]!.attempts, 2)
      const { readdir } = await import('node:fs/promises')
      assert.equal((await readdir(folder)).length, 3, 'each instance arrived exactly once')
    } finally {
      late.kill()
    }
  })

  it('fails only the instance whose transfer syntax the destination refuses, and says why', async () => {
    const uncompressedOnly = await Storescp.start(join(temp.path, 'uncompressed-only'), [], { acceptAll: false })
    peers.push(uncompressedOnly)
    const box = await startBox({ routing: { routing: [{ name: 'strict peer', RouteDirectory: 'INPUT', send: [{ '.*': toPeer(uncompressedOnly) }] }] } })
    const files = await makeStudy(CT_TEMPLATE, 2, join(temp.path, 'study-mixed'))
    const { execa } = await import('execa')
    const jls = join(temp.path, 'study-mixed', 'jls.dcm')
    await execa('dcmcjpls', [files[1]!, jls])
    assert.equal((await storescu(box.port, 'COPY', [files[0]!])).exitCode, 0)
    assert.equal((await storescu(box.port, 'COPY', [jls], ['-xt'])).exitCode, 0)
    const [job] = await box.waitForFinishedJobs(1)
    const [delivery] = job!.deliveries
    assert.deepEqual([delivery!.state, delivery!.sent, delivery!.failed, delivery!.attempts], ['failed', 1, 1, 1])
    assert.match(delivery!.lastError ?? '', /accepted none of the file's transfer syntaxes \(JPEG-LS Lossless/)
  })

  it('stops a running job on SIGTERM after the grace period without failing it, and runs it again at the next start', async () => {
    const box = await startBox({ settings: { stopGraceSeconds: 1 } })
    await writeProcessStreams(streams, [{ aeTitle: 'NAP', script: `if [ ! -f "$MAGICKBOX_MEMORY/napped" ]; then touch "$MAGICKBOX_MEMORY/napped"; sleep 600; fi\n${COPY_INPUT}` }])
    await waitFor('the NAP stream', async () => /stream NAP/.test(await box.log('supervisor')), 10_000)
    assert.equal((await storescu(box.port, 'NAP', await makeStudy(CT_TEMPLATE, 1, join(temp.path, 'study-nap')))).exitCode, 0)
    await waitFor('the job to run', async () => (await box.jobs())[0]?.state === 'running')
    await box.stop()
    const [stopped] = await box.jobs()
    assert.equal(stopped!.state, 'running', 'a shutdown is not a failure')
    assert.equal(stopped!.outcome, undefined)
    await box.launch()
    const [job] = await box.waitForFinishedJobs(1)
    assert.deepEqual([job!.state, job!.outcome, job!.runs], ['done', 'success', 2])
    assert.match(await readFile(join(box.jobFolder(job!.id), 'processing.log'), 'utf8'), /because the box is shutting down; the job runs again/)
  })

  it('restarts the receiver alone after kill -9 of it, and the next study goes through', async () => {
    const box = await startBox()
    const pidFile = join(box.options.dataDir, '.pids', 'receiver.pid')
    const first = Number(await readFile(pidFile, 'utf8'))
    process.kill(first, 'SIGKILL')
    await waitFor('a new receiver that answers', async () => {
      const pid = Number(await readFile(pidFile, 'utf8').catch(() => '0'))
      return pid !== first && pid > 0 && (await echoscu(box.port, 'MAGICKBOX')).exitCode === 0
    }, 15_000)
    assert.equal((await storescu(box.port, 'COPY', await makeStudy(CT_TEMPLATE, 1, join(temp.path, 'study-after-kill')))).exitCode, 0)
    const [job] = await box.waitForFinishedJobs(1)
    assert.equal(job!.state, 'done')
    assert.match(await box.log('supervisor'), /receiver killed by SIGKILL; restart 1/)
  })

  it('finishes every job after kill -9 of the whole box: queued, running and still-collecting studies', async () => {
    const peer = await startPeer(['+uf'])
    const box = await startBox({ routing: { routing: [{ name: 'all', send: [{ '.*': toPeer(peer) }] }] } })
    const studies = await Promise.all([1, 2, 3].map((i) => makeStudy(CT_TEMPLATE, 2, join(temp.path, `study-kill-${i}`))))
    for (const files of studies) assert.equal((await storescu(box.port, 'SLOW', files)).exitCode, 0)
    await waitFor('a running job and queued ones', async () => {
      const jobs = await box.jobs()
      return jobs.length === 3 && jobs.some((j) => j.state === 'running') && jobs.some((j) => j.state === 'queued')
    })
    const collecting = await makeStudy(CT_TEMPLATE, 2, join(temp.path, 'study-kill-4'))
    assert.equal((await storescu(box.port, 'SLOW', collecting)).exitCode, 0)
    await box.kill9()
    await box.launch()
    const jobs = await box.waitForFinishedJobs(4, 60_000)
    assert.deepEqual(jobs.map((j) => j.state), ['done', 'done', 'done', 'done'])
    assert.ok(jobs.some((j) => j.history.some((h) => /stopped while this job was running; it runs again/.test(h.reason))), 'the interrupted job ran again')
    assert.ok(jobs.some((j) => /quiet period resumed after a restart/.test(j.completedReason)), 'the collecting study completed after the restart')
    const received = await bySopInstance(await peer.files())
    assert.equal((await peer.files()).length, 8, 'every instance delivered exactly once')
    assert.equal(received.size, 8)
  })
})
