/**
 * What an operator does to jobs, end to end through the web API, the supervisor's control API
 * and the real pipeline: re-run, resend, cancel and delete, with an API token made by the CLI.
 */
import assert from 'node:assert/strict'
import { access } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { execa } from 'execa'
import { BoxProcess } from '../helpers/box-process.js'
import { Storescp, storescu } from '../helpers/dicom-peers.js'
import { COPY_INPUT, writeProcessStreams } from '../helpers/fixture-streams.js'
import { CT_TEMPLATE, makeStudy } from '../helpers/study-fixtures.js'
import { tempFolder } from '../helpers/temp-folder.js'
import { waitFor } from '../helpers/wait-for.js'

const CLI = resolve(import.meta.dirname, '..', '..', 'dist', 'supervisor', 'cli.js')

describe('job commands', () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  let box: BoxProcess
  let peer: Storescp
  let token: string
  const api = (path: string, method = 'GET') => fetch(`http://127.0.0.1:${box.webPort}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}` } })

  before(async () => {
    temp = await tempFolder()
    const streams = join(temp.path, 'streams')
    await writeProcessStreams(streams, [
      { aeTitle: 'COPY', script: COPY_INPUT },
      { aeTitle: 'HANG', script: 'echo started; sleep 600' },
    ])
    peer = await Storescp.start(join(temp.path, 'peer'), ['+uf'])
    box = await BoxProcess.start({
      dataDir: join(temp.path, 'data'),
      streamsDir: streams,
      routing: { routing: [{ name: 'peer', AETitleIn: '^COPY$', send: [{ '.*': { IP: '127.0.0.1', PORT: peer.port, AETitleTo: 'PEER' } }] }] },
    })
    const env = { ...process.env, MAGICKBOX_DATA: box.options.dataDir, MAGICKBOX_PASSWORD: 'operator password 1' }
    await execa(process.execPath, [CLI, 'user', 'set-password', 'operator', '--role', 'admin', '--keep'], { env })
    token = (await execa(process.execPath, [CLI, 'user', 'token', 'operator', 'tests'], { env })).stdout.trim()
    await waitFor('the web interface', async () => (await fetch(`http://127.0.0.1:${box.webPort}/healthz`)).ok)
  })

  after(async () => {
    await box?.stop()
    await peer?.stop()
    await temp?.remove()
  })

  it('re-runs a finished job, and resending everything delivers it again', async () => {
    assert.equal((await storescu(box.port, 'COPY', await makeStudy(CT_TEMPLATE, 2, join(temp.path, 'a')))).exitCode, 0)
    const [job] = await box.waitForFinishedJobs(1)
    assert.equal(job!.state, 'done')
    assert.equal((await peer.files()).length, 2)
    const rerun = await api(`/jobs/${job!.id}/rerun`, 'POST')
    assert.equal(rerun.status, 200, await rerun.text())
    await waitFor('the second run', async () => {
      const j = (await box.jobs())[0]!
      return j.runs === 2 && j.state === 'done' ? j : undefined
    })
    assert.equal((await peer.files()).length, 4, 'a re-run delivers its new output')
    assert.equal((await api(`/jobs/${job!.id}/resend`, 'POST')).status, 200, 'resending only what was not delivered: nothing')
    await waitFor('done again', async () => (await box.jobs())[0]!.state === 'done')
    assert.equal((await peer.files()).length, 4)
    assert.equal((await api(`/jobs/${job!.id}/resend?all=1`, 'POST')).status, 200)
    await waitFor('everything sent again', async () => (await peer.files()).length === 6)
    const history = (await box.jobs())[0]!.history.map((h) => h.reason).join('\n')
    assert.match(history, /re-run requested by operator/)
    assert.match(history, /resend of everything requested by operator/)
  })

  it('refuses to re-run an active job, cancels a running one, and deletes it', async () => {
    assert.equal((await storescu(box.port, 'HANG', await makeStudy(CT_TEMPLATE, 1, join(temp.path, 'b')))).exitCode, 0)
    const running = await waitFor('a running job', async () => (await box.jobs()).find((j) => j.stream === 'HANG' && j.state === 'running'))
    const refused = await api(`/jobs/${running.id}/rerun`, 'POST')
    assert.equal(refused.status, 409)
    assert.match(((await refused.json()) as { error: string }).error, /is running: it cannot be re-run now/)
    assert.equal((await api(`/jobs/${running.id}`, 'DELETE')).status, 409, 'an active job is not deleted')
    assert.equal((await api(`/jobs/${running.id}/cancel`, 'POST')).status, 200)
    const cancelled = await waitFor('the job to be cancelled', async () => (await box.jobs()).find((j) => j.id === running.id && j.state === 'cancelled'), 15_000)
    assert.match(cancelled.history.at(-1)!.reason, /cancelled by an operator while it ran/)
    assert.equal((await api(`/jobs/${running.id}`, 'DELETE')).status, 200)
    await assert.rejects(access(box.jobFolder(running.id)), 'the job folder is gone')
    assert.equal((await api(`/jobs/${running.id}`)).status, 404)
    assert.match(await box.log('jobs'), new RegExp(`job ${running.id} .* deleted by operator`))
  })
})
