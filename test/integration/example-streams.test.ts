/**
 * The StudyInfo example stream as it ships, on a box started the way `npm start` starts it: the
 * box with only Node.js (the process runner, no Docker) receives a study, runs the stream over it
 * and keeps its inventory in the job's output. (ProcPics, the container example, is in
 * docker-streams.test.ts.)
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { BoxProcess } from '../helpers/box-process.js'
import { storescu } from '../helpers/dicom-peers.js'
import { CT_TEMPLATE, makeStudy } from '../helpers/study-fixtures.js'
import { tempFolder } from '../helpers/temp-folder.js'

const STREAMS = resolve(import.meta.dirname, '..', '..', 'streams')

describe('the StudyInfo example stream', () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  let box: BoxProcess

  before(async () => {
    temp = await tempFolder()
    box = await BoxProcess.start({ dataDir: join(temp.path, 'data'), streamsDir: STREAMS })
  })
  after(async () => {
    await box?.stop()
    await temp?.remove()
  })

  it('lists every instance of a study with its checksum, after the quiet period its info.json sets', async () => {
    const study = await makeStudy(CT_TEMPLATE, 4, join(temp.path, 'study'))
    const sent = Date.now()
    assert.equal((await storescu(box.port, 'StudyInfo', study)).exitCode, 0)
    const [job] = await box.waitForFinishedJobs(1, 60_000)
    assert.equal(job!.state, 'done')
    assert.equal(job!.outcome, 'success')
    assert.ok(Date.parse(job!.completedAt!) - sent >= 14_000, 'the stream\'s own quietSeconds (15) is used')
    const output = join(box.jobFolder(job!.id), 'output')
    const report = JSON.parse(await readFile(join(output, 'study-info.json'), 'utf8')) as { instances: { file: string; sha256: string; SOPInstanceUID: string }[]; series: { instances: number }[] }
    assert.equal(report.instances.length, 4)
    assert.deepEqual(report.series.map((s) => s.instances), [4])
    for (const instance of report.instances) {
      // The checksum of the file as the box stored it in the job's input.
      const stored = await readFile(join(box.jobFolder(job!.id), 'input', instance.file))
      assert.equal(createHash('sha256').update(stored).digest('hex'), instance.sha256, instance.file)
    }
    assert.match(await readFile(join(output, 'study-info.txt'), 'utf8'), /4 instance\(s\)/)
    assert.deepEqual(JSON.parse(await readFile(join(output, 'proc.json'), 'utf8'))[0].success, 'success')
  })
})
