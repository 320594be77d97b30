/**
 * The supervisor keeping the box alive, with the real box: the C-ECHO heartbeat, the restart
 * policy and given-up, admission control on a small data disk, retention, and the status page
 * and CLI.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:net'
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { execa } from 'execa'
import { BoxProcess } from '../helpers/box-process.js'
import { echoscu, storescu } from '../helpers/dicom-peers.js'
import { COPY_INPUT, writeProcessStreams } from '../helpers/fixture-streams.js'
import { CT_TEMPLATE, makeLargeInstance, makeStudy } from '../helpers/study-fixtures.js'
import { tempFolder } from '../helpers/temp-folder.js'
import { mountTmpfs } from '../helpers/tmpfs.js'
import { waitFor } from '../helpers/wait-for.js'

const CLI = resolve(import.meta.dirname, '..', '..', 'dist', 'supervisor', 'cli.js')
const MB = 1024 * 1024

describe('supervision', () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  let streams: string
  const boxes: BoxProcess[] = []
  const cleanups: (() => Promise<void>)[] = []
  let n = 0
  const startBox = async (options: { settings?: Record<string, unknown>; waitReady?: boolean; dataDir?: string } = {}) => {
    const box = await BoxProcess.start({ dataDir: options.dataDir ?? join(temp.path, `data-${++n}`), streamsDir: streams, settings: options.settings, waitReady: options.waitReady })
    boxes.push(box)
    return box
  }
  const receiverPid = async (box: BoxProcess) => Number(await readFile(join(box.options.dataDir, '.pids', 'receiver.pid'), 'utf8'))

  before(async () => {
    temp = await tempFolder()
    streams = join(temp.path, 'streams')
    await writeProcessStreams(streams, [
      { aeTitle: 'COPY', script: COPY_INPUT },
      { aeTitle: 'HOLD', script: 'true', info: { quietSeconds: 3600 } },
      { aeTitle: '<b>X', script: 'true' },
      { aeTitle: 'SLOW', script: 'sleep 300' },
    ])
  })

  after(async () => {
    for (const box of boxes) await box.stop()
    for (const cleanup of cleanups.reverse()) await cleanup()
    await temp?.remove()
  })

  it('detects a hung receiver (SIGSTOP) with the C-ECHO heartbeat, restarts it, and the next study goes through', async () => {
    const box = await startBox({ settings: { heartbeat: { intervalSeconds: 1, timeoutSeconds: 1, failuresBeforeRestart: 2 } } })
    const hung = await receiverPid(box)
    process.kill(hung, 'SIGSTOP')
    await waitFor('a new receiver', async () => (await receiverPid(box)) !== hung && (await echoscu(box.port, 'MAGICKBOX')).exitCode === 0, 30_000)
    const log = await box.log('supervisor')
    assert.match(log, /heartbeat: C-ECHO to MAGICKBOX on port \d+ failed \(1 of 2\): no C-ECHO answer within 1000 ms/)
    assert.match(log, /receiver: killing pid \d+: heartbeat: 2 C-ECHO\(s\) in a row failed/)
    assert.match(log, /receiver (exited with code \d+|killed by SIG\w+) \(heartbeat: 2 C-ECHO\(s\) in a row failed/)
    assert.equal((await storescu(box.port, 'COPY', await makeStudy(CT_TEMPLATE, 2, join(temp.path, 'after-hang')))).exitCode, 0)
    const [job] = await box.waitForFinishedJobs(1)
    assert.equal(job!.state, 'done')
  })

  it('replaces a hung receiver worker (SIGSTOP) that the round-robin heartbeat alone would miss, keeping the receiver', async () => {
    const box = await startBox({ settings: { receiver: { workers: 2 }, heartbeat: { intervalSeconds: 1, timeoutSeconds: 1, failuresBeforeRestart: 2 } } })
    const primary = await receiverPid(box)
    const workers = async () => (await execa('pgrep', ['-P', String(primary)], { reject: false })).stdout.split('\n').filter(Boolean).map(Number)
    await waitFor('two receiver workers', async () => (await workers()).length === 2, 10_000)
    const [hung] = await workers()
    process.kill(hung!, 'SIGSTOP')
    await waitFor('the hung worker to be killed', async () => new RegExp(`receiver worker ${hung} has not answered for \\d+ s: killing it`).test(await box.log('receiver')), 30_000)
    await waitFor('a new worker in its place', async () => {
      const now = await workers()
      return now.length === 2 && !now.includes(hung!)
    }, 10_000)
    for (let i = 0; i < 4; i++) assert.equal((await echoscu(box.port, 'MAGICKBOX')).exitCode, 0, `echo ${i + 1} of 4 reaches a live worker`)
    assert.equal(await receiverPid(box), primary, 'the receiver itself (and its other worker) went on')
  })

  it('restarts a hung sender and a hung web server (SIGSTOP), which exit-watching alone would never notice', async () => {
    const box = await startBox({ settings: { heartbeat: { intervalSeconds: 1, timeoutSeconds: 1, failuresBeforeRestart: 2 } } })
    const pidOf = async (unit: string) => Number(await readFile(join(box.options.dataDir, '.pids', `${unit}.pid`), 'utf8'))
    const hung = { sender: await pidOf('sender'), web: await pidOf('web') }
    process.kill(hung.sender, 'SIGSTOP')
    process.kill(hung.web, 'SIGSTOP')
    await waitFor('new sender and web processes', async () => (await pidOf('sender')) !== hung.sender && (await pidOf('web')) !== hung.web, 40_000)
    const status = await box.status()
    for (const name of ['sender', 'web']) {
      const unit = status.units.find((u) => u.name === name)!
      assert.equal(unit.restarts, 1, name)
      assert.match(unit.lastExit ?? '', /no answer to liveness probes for \d+ s: hung/, name)
    }
    await waitFor('the web interface to answer again', async () => (await fetch(`http://127.0.0.1:${box.webPort}/healthz`).catch(() => undefined))?.ok === true, 20_000)
    assert.match(await box.log('supervisor'), /sender: killing pid \d+: no answer to liveness probes/)
  })

  it('does not kill a receiver busy with a large transfer', async () => {
    const box = await startBox({ settings: { heartbeat: { intervalSeconds: 1, timeoutSeconds: 2, failuresBeforeRestart: 2 } } })
    const big = join(temp.path, 'large.dcm')
    await makeLargeInstance(big, 600)
    const pid = await receiverPid(box)
    const started = Date.now()
    const sent = await storescu(box.port, 'HOLD', [big])
    assert.equal(sent.exitCode, 0, sent.output)
    const seconds = (Date.now() - started) / 1000
    await new Promise((r) => setTimeout(r, 1500))
    assert.equal(await receiverPid(box), pid, 'same receiver process')
    // Memory stays bounded: the receiver's processes peaked far below the instance's size.
    const pids = [pid, ...(await execa('pgrep', ['-P', String(pid)], { reject: false })).stdout.split('\n').filter(Boolean).map(Number)]
    for (const p of pids) {
      const peak = Number(/VmHWM:\s+(\d+)/.exec(await readFile(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0)
      assert.ok(peak < 150 * 1024, `receiver process ${p} peaked at ${Math.round(peak / 1024)} MB (limit 150 MB) for a 600 MB instance`)
    }
    assert.doesNotMatch(await box.log('supervisor'), /heartbeat: C-ECHO .* failed/)
    const status = await box.status()
    assert.equal(status.units.find((u) => u.name === 'receiver')!.restarts, 0)
    assert.ok(status.heartbeat.lastOkAt, `heartbeats answered during the ${seconds.toFixed(1)} s transfer`)
  })

  it('puts a receiver that crashes in a loop in given-up with an alert, and a restart by hand brings it back', async () => {
    const blocker: Server = createServer()
    const box = await (async () => {
      // The receiver cannot bind a port that is taken, exits, and is restarted until the policy gives up.
      const b = await BoxProcess.start({
        dataDir: join(temp.path, `data-${++n}`),
        streamsDir: streams,
        settings: { restart: { firstDelaySeconds: 0.1, factor: 1, maxDelaySeconds: 1, maxRestarts: 3, windowSeconds: 60 } },
        waitReady: false,
        env: {},
      }).catch((e) => {
        throw e
      })
      boxes.push(b)
      return b
    })()
    // The box above already bound its port; take it away and crash the receiver into the loop.
    await box.stop()
    await new Promise<void>((r) => blocker.listen(box.port, '0.0.0.0', r))
    await box.launch(false)
    const status = await waitFor('the receiver to give up', async () => {
      const s = await box.status()
      return s.units.find((u) => u.name === 'receiver')?.state === 'given-up' ? s : undefined
    }, 30_000)
    const receiver = status.units.find((u) => u.name === 'receiver')!
    assert.equal(receiver.restarts, 3)
    assert.match(receiver.lastExit ?? '', /exited with code 2/)
    const alert = status.alerts.find((a) => a.key === 'unit:receiver')
    assert.equal(alert?.level, 'critical')
    assert.match(alert!.message, /not restarted any more: 3 restarts within 60 s/)
    const cli = await execa(process.execPath, [CLI, 'status'], { env: { ...process.env, MAGICKBOX_DATA: box.options.dataDir }, reject: false })
    assert.equal(cli.exitCode, 1, 'status exits 1 while a unit has given up')
    assert.match(cli.stdout, /receiver\s+given-up/)
    await new Promise<void>((r) => blocker.close(() => r()))
    const restart = await execa(process.execPath, [CLI, 'restart', 'receiver'], { env: { ...process.env, MAGICKBOX_DATA: box.options.dataDir } })
    assert.match(restart.stdout, /restarted receiver/)
    await waitFor('the receiver to answer', async () => (await echoscu(box.port, 'MAGICKBOX')).exitCode === 0, 15_000)
    const after = await box.status()
    assert.equal(after.units.find((u) => u.name === 'receiver')!.state, 'running')
    assert.equal(after.alerts.find((a) => a.key === 'unit:receiver'), undefined)
  })

  it('stops receiving before a small data disk fills, leaves nothing partial, and resumes when space is back', async () => {
    const dataDir = join(temp.path, `data-${++n}`)
    cleanups.push(await mountTmpfs(join(dataDir, 'scratch'), 48))
    const box = await startBox({ dataDir, settings: { admission: { reserveBytes: 20 * MB, reservePercent: 0 } } })
    const study = await makeStudy(CT_TEMPLATE, 3, join(temp.path, 'small-disk'))
    assert.equal((await storescu(box.port, 'HOLD', study)).exitCode, 0, 'room at first')
    // Leave 23 MB free: above the reserve, but a 6 MB instance would cross it.
    const filler = join(dataDir, 'scratch', 'filler')
    const free = async () => Number((await execa('df', ['--output=avail', '-B1', join(dataDir, 'scratch')])).stdout.split('\n')[1])
    await execa('fallocate', ['-l', String((await free()) - 23 * MB), filler])
    const big = join(temp.path, 'six-mb.dcm')
    await makeLargeInstance(big, 6)
    const refused = await storescu(box.port, 'HOLD', [big], ['-v'])
    assert.notEqual(refused.exitCode, 0)
    assert.match(refused.output, /OutOfResources|Out of Resources|0xa700/i, 'the C-STORE in progress got "out of resources"')
    const incoming = join(dataDir, 'scratch', 'incoming')
    const groups = (await readdir(incoming)).filter((g) => !g.startsWith('.'))
    const files = (await Promise.all(groups.map((g) => readdir(join(incoming, g))))).flat().filter((f) => f.endsWith('.dcm'))
    assert.equal(files.length, 3, 'nothing of the refused instance is visible')
    assert.deepEqual(await readdir(join(incoming, '.tmp')), [])
    // Now below the reserve: new associations are rejected, C-ECHO to the box still answers.
    await execa('fallocate', ['-l', String((await free()) - 10 * MB), `${filler}-2`])
    await waitFor('receiving to stop', async () => /Local Limit Exceeded|Rejected/i.test((await storescu(box.port, 'HOLD', [study[0]!])).output), 10_000, 500)
    assert.equal((await echoscu(box.port, 'MAGICKBOX')).exitCode, 0)
    assert.match(await box.log('receiver'), /data disk is too full to receive/)
    await waitFor('the admission alert', async () => (await box.status()).alerts.some((a) => a.key === 'admission'), 10_000)
    await rm(filler)
    await rm(`${filler}-2`)
    await waitFor('receiving to resume', async () => (await storescu(box.port, 'HOLD', [big])).exitCode === 0, 15_000, 500)
    await waitFor('the alert to clear', async () => !(await box.status()).alerts.some((a) => a.key === 'admission'), 15_000)
  })

  it('deletes the oldest finished jobs above the high-water mark, never an active one, and a dry run only logs', async () => {
    const dataDir = join(temp.path, `data-${++n}`)
    cleanups.push(await mountTmpfs(join(dataDir, 'scratch'), 64))
    // Four jobs of 2 × 5 MB (input and copied output) fill 40 of 64 MB: above the 50 % mark.
    const box = await startBox({
      dataDir,
      settings: { stopGraceSeconds: 1, admission: { reserveBytes: MB, reservePercent: 0 }, retention: { highWaterPercent: 50, lowWaterPercent: 30, dryRun: true } },
    })
    // The oldest job is still running: retention must pass it by.
    const slow = join(temp.path, 'ret-slow.dcm')
    await makeLargeInstance(slow, 5)
    assert.equal((await storescu(box.port, 'SLOW', [slow])).exitCode, 0)
    await waitFor('the SLOW job to run', async () => (await box.jobs()).some((j) => j.stream === 'SLOW' && j.state === 'running'), 30_000)
    for (let i = 0; i < 4; i++) {
      const big = join(temp.path, `ret-${i}.dcm`)
      await makeLargeInstance(big, 5)
      assert.equal((await storescu(box.port, 'COPY', [big])).exitCode, 0)
      await waitFor(`${i + 1} COPY job(s) done`, async () => (await box.jobs()).filter((j) => j.stream === 'COPY' && j.state === 'done').length === i + 1, 60_000)
    }
    assert.equal((await storescu(box.port, 'HOLD', await makeStudy(CT_TEMPLATE, 1, join(temp.path, 'held')))).exitCode, 0)
    const all = await box.jobs()
    assert.equal(all.length, 5)
    const active = all.find((j) => j.stream === 'SLOW')!
    const jobsBefore = all.filter((j) => j.stream === 'COPY')
    const call = async () => {
      const token = (await readFile(join(dataDir, '.control-token'), 'utf8')).trim()
      const response = await fetch(`http://127.0.0.1:${box.statusPort}/retention/run`, { method: 'POST', headers: { 'x-magickbox-token': token } })
      return (await response.json()) as { lastExit: string }
    }
    const dry = await call()
    assert.match(dry.lastExit, /dry run: would delete [1-9]/)
    assert.equal((await box.jobs()).length, 5, 'a dry run deletes nothing')
    assert.match(await box.log('retention'), /dry run: would delete job .*disk above 50 %: oldest finished job/)
    // Now for real.
    await box.stop()
    const settings = JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8'))
    settings.retention.dryRun = false
    await writeFile(join(dataDir, 'settings.json'), JSON.stringify(settings))
    await box.launch()
    const wet = await call()
    assert.match(wet.lastExit, /deleted [1-9]/)
    const left = await box.jobs()
    const deleted = jobsBefore.filter((j) => !left.some((l) => l.id === j.id))
    assert.ok(deleted.length >= 1 && left.length >= 1)
    assert.deepEqual(deleted.map((j) => j.id), jobsBefore.slice(0, deleted.length).map((j) => j.id), 'the oldest first')
    const stillActive = left.find((j) => j.id === active.id)
    assert.ok(stillActive && ['queued', 'running'].includes(stillActive.state), 'the oldest job, still active, is never deleted')
    assert.doesNotMatch(await box.log('retention'), new RegExp(`job ${active.id}`))
    assert.match(await box.log('retention'), /deleted job \S+ \([\d.]+ MB\): disk above 50 %/)
    const incoming = join(dataDir, 'scratch', 'incoming')
    assert.equal((await readdir(incoming)).filter((g) => !g.startsWith('.')).length, 1, 'the group still collecting is untouched')
  })

  it('posts alerts to the webhook as JSON when they are raised', async () => {
    const { createServer: createHttpServer } = await import('node:http')
    const posts: unknown[] = []
    const hook = createHttpServer((request, response) => {
      let body = ''
      request.on('data', (d: Buffer) => (body += d))
      request.on('end', () => {
        posts.push(JSON.parse(body))
        response.end('ok')
      })
    })
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r))
    const port = (hook.address() as { port: number }).port
    try {
      // A scratch threshold of 0 % is always exceeded: the first health check raises the alert.
      const box = await startBox({ settings: { health: { intervalSeconds: 1, scratchPercent: 0, webhookUrl: `http://127.0.0.1:${port}/alerts` } } })
      const post = await waitFor('the webhook post', () => posts.find((p) => (p as { alert: { key: string } }).alert.key === 'health:scratch disk') as { event: string; alert: { level: string; message: string } } | undefined, 15_000)
      assert.equal(post.event, 'raised')
      assert.equal(post.alert.level, 'warning')
      assert.match(post.alert.message, /is [\d.]+ % full .*alert above 0 %/)
      assert.ok((await box.status()).alerts.some((a) => a.key === 'health:scratch disk'))
      assert.match(await box.log('supervisor'), /ALERT health:scratch disk/)
    } finally {
      hook.close()
    }
  })

  it('refuses commands on the status API without the control token', async () => {
    const box = boxes[0]!
    const response = await fetch(`http://127.0.0.1:${box.statusPort}/units/receiver/restart`, { method: 'POST' })
    assert.equal(response.status, 403)
    assert.match(((await response.json()) as { error: string }).error, /control token/)
  })

  it('shows every unit, health and queue on the status page, escaped, and in `magickbox status`', async () => {
    const box = await startBox()
    const status = await box.status()
    assert.deepEqual(
      status.units.map((u) => u.name).sort(),
      ['receiver', 'retention', 'sender', 'web', 'worker <b>X', 'worker COPY', 'worker HOLD', 'worker SLOW'].sort(),
    )
    for (const unit of status.units.filter((u) => u.kind === 'child-process')) {
      assert.equal(unit.state, 'running')
      assert.ok(unit.pid && unit.pid > 0)
    }
    await waitFor('health results', async () => (await box.status()).health.length === 5)
    assert.deepEqual((await box.status()).health.map((h) => h.name), ['scratch disk', 'root disk', 'memory', 'cpu', 'docker'])
    const html = await (await fetch(`http://127.0.0.1:${box.statusPort}/`)).text()
    assert.match(html, /worker &lt;b&gt;X/)
    assert.doesNotMatch(html, /<b>X/)
    const cli = await execa(process.execPath, [CLI, 'status', '--json'], { env: { ...process.env, MAGICKBOX_DATA: box.options.dataDir } })
    assert.equal(JSON.parse(cli.stdout).box.dicomPort, box.port)
    const pids = await readdir(join(box.options.dataDir, '.pids'))
    assert.deepEqual(pids.sort(), ['receiver.pid', 'sender.pid', 'supervisor.pid', 'web.pid'])
  })
})
