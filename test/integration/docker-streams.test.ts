/**
 * Streams in real containers on a real Docker engine: the ProcPics example built from its
 * Dockerfile by the box, its derived series delivered and checked with pydicom; and the ways a
 * container stream goes wrong (missing image, crash, hang, no engine).
 */
import assert from 'node:assert/strict'
import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { execa } from 'execa'
import { BoxProcess } from '../helpers/box-process.js'
import { Storescp, storescu } from '../helpers/dicom-peers.js'
import { CT_TEMPLATE, makeStudy, MR_TEMPLATE } from '../helpers/study-fixtures.js'
import { tempFolder } from '../helpers/temp-folder.js'
import { waitFor } from '../helpers/wait-for.js'

const REPO_STREAMS = resolve(import.meta.dirname, '..', '..', 'streams')
const BASE = 'debian:bookworm-slim'

async function dockerStream(streams: string, aeTitle: string, info: Record<string, unknown>): Promise<void> {
  await mkdir(join(streams, aeTitle), { recursive: true })
  await writeFile(join(streams, aeTitle, 'info.json'), JSON.stringify({ AETitle: aeTitle, version: '1', quietSeconds: 1, ...info }))
}

// Check the derived series against its sources with pydicom (Debian's python3).
const CHECK_DERIVED = `
import sys, glob, json, numpy, pydicom
src = {}
for f in glob.glob(sys.argv[1] + '/*'):
    d = pydicom.dcmread(f)
    src[d.SOPInstanceUID] = d
out = []
for f in sorted(glob.glob(sys.argv[2] + '/*')):
    d = pydicom.dcmread(f)
    ref = d.SourceImageSequence[0].ReferencedSOPInstanceUID
    s = src[ref]
    out.append({
        'sameStudy': d.StudyInstanceUID == s.StudyInstanceUID,
        'newSeries': d.SeriesInstanceUID != s.SeriesInstanceUID,
        'newInstance': d.SOPInstanceUID != s.SOPInstanceUID,
        'sameClass': d.SOPClassUID == s.SOPClassUID,
        'description': str(d.SeriesDescription),
        'imageType': list(d.ImageType)[:2],
        'pixelsChanged': bool((d.pixel_array.astype('int64') != s.pixel_array.astype('int64')).any()),
        'shape': list(d.pixel_array.shape) == list(s.pixel_array.shape),
    })
print(json.dumps(out))
`

describe('docker streams', () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  let streams: string
  const boxes: BoxProcess[] = []
  let peer: Storescp

  before(async () => {
    temp = await tempFolder()
    streams = join(temp.path, 'streams')
    await cp(join(REPO_STREAMS, 'ProcPics'), join(streams, 'ProcPics'), { recursive: true })
    await dockerStream(streams, 'CRASHER', { image: BASE, command: ['/bin/sh', '-c', 'echo crashing now; exit 4'] })
    await dockerStream(streams, 'SLEEPER', { image: BASE, command: ['sleep', '600'], timeoutMinutes: 0.05 })
    await dockerStream(streams, 'NOIMAGE', { image: 'magickbox/no-such-image:0' })
    await dockerStream(streams, 'REMEMBER', { image: BASE, command: ['/bin/sh', '-c', 'echo run >> /memory/runs; echo "runs so far: $(wc -l < /memory/runs)"; cp -R /input/. /output/'] })
    peer = await Storescp.start(join(temp.path, 'peer'))
  })

  after(async () => {
    for (const box of boxes) await box.stop()
    await peer?.stop()
    await temp?.remove()
  })

  const startBox = async (env: NodeJS.ProcessEnv = {}) => {
    const box = await BoxProcess.start({
      dataDir: join(temp.path, `data-${boxes.length}`),
      streamsDir: streams,
      settings: { dockerRetrySeconds: 1 },
      routing: { routing: [{ name: 'results', AETitleIn: '^ProcPics$', send: [{ success: { IP: '127.0.0.1', PORT: peer.port, AETitleTo: 'VIEWER' } }] }] },
      env,
    })
    boxes.push(box)
    return box
  }

  it('builds ProcPics from its Dockerfile, runs it, and delivers a derived series a PACS accepts', async () => {
    await execa('docker', ['rmi', '-f', 'magickbox/procpics:1.0.0'], { reject: false })
    const box = await startBox()
    const study = await makeStudy(CT_TEMPLATE, 3, join(temp.path, 'ct'))
    assert.equal((await storescu(box.port, 'ProcPics', study, [], 'MODALITY')).exitCode, 0)
    const [job] = await box.waitForFinishedJobs(1, 600_000)
    const log = await readFile(join(box.jobFolder(job!.id), 'processing.log'), 'utf8')
    assert.equal(job!.state, 'done', `${job!.failedReason}\n${log}`)
    assert.equal(job!.outcome, 'success')
    assert.match(log, /building image magickbox\/procpics:1\.0\.0/)
    assert.equal(job!.deliveries[0]!.sent, 3)
    const checks = JSON.parse((await execa('/usr/bin/python3', ['-c', CHECK_DERIVED, join(temp.path, 'ct'), peer.folder])).stdout) as Record<string, unknown>[]
    assert.equal(checks.length, 3)
    for (const c of checks) {
      assert.deepEqual([c.sameStudy, c.newSeries, c.newInstance, c.sameClass, c.pixelsChanged, c.shape], [true, true, true, true, true, true])
      assert.match(String(c.description), /^ProcPics: Sobel edge magnitude/)
      assert.deepEqual(c.imageType, ['DERIVED', 'SECONDARY'])
    }
    const { stdout } = await execa('docker', ['ps', '-a', '--filter', `label=magickbox.job=${job!.id}`, '-q'])
    assert.equal(stdout.trim(), '', 'the container was removed')
  })

  it('fails a job whose image is missing, with the reason in job.json and processing.log, and moves on', async () => {
    const box = await startBox()
    assert.equal((await storescu(box.port, 'NOIMAGE', await makeStudy(MR_TEMPLATE, 1, join(temp.path, 'noimage')))).exitCode, 0)
    assert.equal((await storescu(box.port, 'CRASHER', await makeStudy(MR_TEMPLATE, 1, join(temp.path, 'crash')))).exitCode, 0)
    const jobs = await box.waitForFinishedJobs(2, 60_000)
    const missing = jobs.find((j) => j.stream === 'NOIMAGE')!
    assert.equal(missing.state, 'failed')
    assert.match(missing.failedReason ?? '', /image magickbox\/no-such-image:0 .* is not on this machine/)
    assert.match(await readFile(join(box.jobFolder(missing.id), 'processing.log'), 'utf8'), /cannot run: image magickbox\/no-such-image:0/)
    const crashed = jobs.find((j) => j.stream === 'CRASHER')!
    assert.deepEqual([crashed.state, crashed.outcome, crashed.exitCode], ['done', 'failed', 4])
    assert.match(await readFile(join(box.jobFolder(crashed.id), 'processing.log'), 'utf8'), /crashing now/)
  })

  it('kills a container at its time limit and removes it', async () => {
    const box = await startBox()
    assert.equal((await storescu(box.port, 'SLEEPER', await makeStudy(MR_TEMPLATE, 1, join(temp.path, 'sleep')))).exitCode, 0)
    const [job] = await box.waitForFinishedJobs(1, 60_000)
    assert.deepEqual([job!.state, job!.outcome], ['done', 'failed'])
    assert.match(job!.outcomeMessage ?? '', /time limit of 0\.05 minute/)
    const { stdout } = await execa('docker', ['ps', '-a', '--filter', `label=magickbox.job=${job!.id}`, '-q'])
    assert.equal(stdout.trim(), '')
  })

  it('keeps /memory between jobs of a stream', async () => {
    const box = await startBox()
    for (const name of ['m1', 'm2']) {
      assert.equal((await storescu(box.port, 'REMEMBER', await makeStudy(MR_TEMPLATE, 1, join(temp.path, name)))).exitCode, 0)
      await box.waitForFinishedJobs(name === 'm1' ? 1 : 2, 60_000)
    }
    const jobs = await box.jobs()
    assert.match(await readFile(join(box.jobFolder(jobs[1]!.id), 'processing.log'), 'utf8'), /runs so far: 2/)
  })

  it('holds jobs as queued, saying why, while no Docker engine answers, and runs them when it is back', async () => {
    const socketFolder = join(temp.path, 'socket')
    await mkdir(socketFolder)
    const socket = join(socketFolder, 'docker.sock')
    const box = await startBox({ DOCKER_SOCKET: socket })
    assert.equal((await storescu(box.port, 'REMEMBER', await makeStudy(MR_TEMPLATE, 1, join(temp.path, 'nodocker')))).exitCode, 0)
    const waiting = await waitFor('the job to wait for Docker', async () => (await box.jobs()).find((j) => j.state === 'queued' && /Docker engine does not answer/.test(j.waitingReason ?? '')), 30_000)
    assert.match(waiting.waitingReason!, /the job runs when the engine is back/)
    await symlink('/var/run/docker.sock', socket)
    const [job] = await box.waitForFinishedJobs(1, 60_000)
    assert.equal(job!.state, 'done')
    await rm(socket)
  })
})
