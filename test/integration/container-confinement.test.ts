/**
 * Stream containers run confined, on the real Docker engine: an unprivileged uid, no
 * capabilities, no new privileges, no network, /input read-only, nothing of other jobs or of the
 * host visible, memory, process and CPU limited; the network only when info.json asks; root
 * only when an admin allowed it; the output handed back to the box's own user.
 */
import assert from 'node:assert/strict'
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { BoxProcess } from '../helpers/box-process.js'
import { storescu } from '../helpers/dicom-peers.js'
import { CT_TEMPLATE, makeStudy } from '../helpers/study-fixtures.js'
import { tempFolder } from '../helpers/temp-folder.js'

const BASE = 'debian:bookworm-slim'
const PROBE = `
echo "uid=$(id -u)"
if echo x > /input/x 2>/dev/null; then echo "input=writable"; else echo "input=read-only"; fi
echo "interfaces=$(ls /sys/class/net | tr '\\n' ' ')"
if timeout 3 bash -c 'exec 3<>/dev/tcp/172.17.0.1/22' 2>/dev/null || timeout 3 bash -c 'exec 3<>/dev/tcp/127.0.0.1/1' 2>/dev/null; then echo "network=reachable"; else echo "network=none"; fi
echo "caps=$(grep CapEff /proc/self/status | cut -f2)"
echo "nonewprivs=$(grep NoNewPrivs /proc/self/status | cut -f2)"
if [ -e /var/run/docker.sock ] || [ -e /run/docker.sock ]; then echo "docker=visible"; else echo "docker=absent"; fi
echo "dicom-files=$(find / -name '*.dcm' -not -path '/proc/*' 2>/dev/null | grep -vc '^/output/')"
echo "input-files=$(ls /input | wc -l)"
touch /output/made-here && echo "output=writable"
echo run >> /memory/runs && echo "memory=writable"
echo "pids-max=$(cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max)"
if [ -r /sys/fs/cgroup/cpu.max ]; then echo "cpu-max=$(cat /sys/fs/cgroup/cpu.max)"; else echo "cpu-max=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"; fi
`

async function dockerStream(streams: string, aeTitle: string, info: Record<string, unknown>): Promise<void> {
  await mkdir(join(streams, aeTitle), { recursive: true })
  await writeFile(join(streams, aeTitle, 'info.json'), JSON.stringify({ AETitle: aeTitle, version: '1', image: BASE, quietSeconds: 1, ...info }))
}

const facts = (log: string) => Object.fromEntries([...log.matchAll(/^([a-z-]+)=(.*)$/gm)].map((m) => [m[1], m[2]!.trim()]))

describe('confined stream containers', () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  let streams: string
  const boxes: BoxProcess[] = []
  const startBox = async (settings: Record<string, unknown> = {}) => {
    const box = await BoxProcess.start({ dataDir: join(temp.path, `data-${boxes.length}`), streamsDir: streams, settings })
    boxes.push(box)
    return box
  }

  before(async () => {
    temp = await tempFolder()
    streams = join(temp.path, 'streams')
    await dockerStream(streams, 'PROBE', { command: ['bash', '-c', PROBE] })
    await dockerStream(streams, 'ROOTER', { command: ['bash', '-c', PROBE], user: 'root' })
    await dockerStream(streams, 'NETWORKED', { command: ['bash', '-c', PROBE], network: true, pids: 32, cpus: 0.5 })
    await dockerStream(streams, 'HOG', { command: ['bash', '-c', 'set -e; echo allocating; dd if=/dev/zero of=/dev/null bs=400M count=1 2>/dev/null; echo survived'], memoryMB: 64 })
  })

  after(async () => {
    for (const box of boxes) await box.stop()
    await temp?.remove()
  })

  it('runs a stream unprivileged, without capabilities, network or a writable /input, seeing only its own job', async () => {
    const box = await startBox()
    // Two jobs: the second must not see the first one's data.
    assert.equal((await storescu(box.port, 'PROBE', await makeStudy(CT_TEMPLATE, 3, join(temp.path, 's1')))).exitCode, 0)
    await box.waitForFinishedJobs(1, 120_000)
    assert.equal((await storescu(box.port, 'PROBE', await makeStudy(CT_TEMPLATE, 2, join(temp.path, 's2')))).exitCode, 0)
    const jobs = await box.waitForFinishedJobs(2, 120_000)
    const second = jobs.find((j) => j.instances === 2)!
    const log = await readFile(join(box.jobFolder(second.id), 'processing.log'), 'utf8')
    const f = facts(log)
    assert.equal(f.uid, '10001', log)
    assert.equal(f.input, 'read-only')
    assert.equal(f.interfaces, 'lo')
    assert.equal(f.network, 'none')
    assert.equal(f.caps, '0000000000000000')
    assert.equal(f.nonewprivs, '1')
    assert.equal(f.docker, 'absent')
    assert.equal(f['input-files'], '2')
    assert.equal(f['dicom-files'], '2', 'only its own two instances are anywhere in the container')
    assert.equal(f.output, 'writable')
    assert.equal(f.memory, 'writable')
    assert.equal(f['pids-max'], '512', 'the default process limit (containers.pids)')
    assert.equal(f['cpu-max'], '200000 100000', 'the default CPU limit (containers.cpus: 2)')
    const made = await stat(join(box.jobFolder(second.id), 'output', 'made-here'))
    assert.equal(made.uid, process.getuid!(), 'the output belongs to the box again')
  })

  it('refuses to run a stream as root unless an admin allowed it, and runs it as root when allowed', async () => {
    const refusing = await startBox()
    assert.equal((await storescu(refusing.port, 'ROOTER', await makeStudy(CT_TEMPLATE, 1, join(temp.path, 'r1')))).exitCode, 0)
    const [refused] = await refusing.waitForFinishedJobs(1, 60_000)
    assert.equal(refused!.state, 'failed')
    assert.match(refused!.failedReason ?? '', /asks to run as root .* an admin must allow it \(setting containers\.allowRoot\)/)
    const allowing = await startBox({ containers: { allowRoot: ['ROOTER'] } })
    assert.equal((await storescu(allowing.port, 'ROOTER', await makeStudy(CT_TEMPLATE, 1, join(temp.path, 'r2')))).exitCode, 0)
    const [ran] = await allowing.waitForFinishedJobs(1, 60_000)
    assert.equal(ran!.outcome, 'success')
    const f = facts(await readFile(join(allowing.jobFolder(ran!.id), 'processing.log'), 'utf8'))
    assert.equal(f.uid, '0')
    assert.equal(f.caps, '0000000000000000', 'root, but without capabilities')
  })

  it('gives a stream the network only when its info.json asks, and its own process and CPU limits', async () => {
    const box = await startBox()
    assert.equal((await storescu(box.port, 'NETWORKED', await makeStudy(CT_TEMPLATE, 1, join(temp.path, 'net')))).exitCode, 0)
    const [job] = await box.waitForFinishedJobs(1, 60_000)
    const log = await readFile(join(box.jobFolder(job!.id), 'processing.log'), 'utf8')
    const f = facts(log)
    assert.match(f.interfaces ?? '', /\beth0\b/, log)
    assert.equal(f.uid, '10001', 'still unprivileged')
    assert.equal(f.caps, '0000000000000000', 'still without capabilities')
    assert.equal(f['pids-max'], '32')
    assert.equal(f['cpu-max'], '50000 100000')
  })

  it('stops a stream that tries to take more memory than its limit, and the box goes on', async () => {
    const box = await startBox()
    assert.equal((await storescu(box.port, 'HOG', await makeStudy(CT_TEMPLATE, 1, join(temp.path, 'hog')))).exitCode, 0)
    const [job] = await box.waitForFinishedJobs(1, 60_000)
    const log = await readFile(join(box.jobFolder(job!.id), 'processing.log'), 'utf8')
    assert.equal(job!.outcome, 'failed', log)
    assert.equal(job!.exitCode, 137, 'killed by the memory limit')
    assert.doesNotMatch(log, /^survived$/m)
    assert.equal((await storescu(box.port, 'PROBE', await makeStudy(CT_TEMPLATE, 1, join(temp.path, 'after-hog')))).exitCode, 0)
    const jobs = await box.waitForFinishedJobs(2, 60_000)
    assert.equal(jobs.find((j) => j.stream === 'PROBE')!.outcome, 'success')
  })
})
