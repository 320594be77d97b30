/**
 * Every transfer syntax the box accepts is stored and forwarded byte-exact: the data set the
 * box stored, the one it routed to a dcmtk storescp, and the one a bit-preserving storescp
 * received straight from the same storescu are identical, private elements included.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { join } from 'node:path'
import { BoxProcess } from '../helpers/box-process.js'
import { bySopInstance, datasetOf } from '../helpers/dataset-bytes.js'
import { Storescp, storescu } from '../helpers/dicom-peers.js'
import { COPY_INPUT, writeProcessStreams } from '../helpers/fixture-streams.js'
import { makeTransferSyntaxVariants, type Variant } from '../helpers/study-fixtures.js'
import { tempFolder } from '../helpers/temp-folder.js'

const DEFLATED = '1.2.840.10008.1.2.1.99'

/**
 * Data sets equal byte for byte. One documented exception: a deflated bit stream travels padded
 * to even length with one NUL byte (PS3.5 A.5); the box keeps that byte as it arrived, while
 * storescp -B writes the stream without it.
 */
function sameBytes(ours: Buffer, theirs: Buffer, transferSyntaxUid: string): boolean {
  if (ours.equals(theirs)) return true
  return transferSyntaxUid === DEFLATED && ours.length === theirs.length + 1 && ours[ours.length - 1] === 0 && ours.subarray(0, -1).equals(theirs)
}

for (const engine of ['lean', 'dcmjs-dimse'] as const)
describe(`the byte-exact pipeline (${engine} engine)`, () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  let box: BoxProcess
  let direct: Storescp
  let routed: Storescp
  let variants: Variant[]

  before(async () => {
    temp = await tempFolder()
    variants = await makeTransferSyntaxVariants(join(temp.path, 'variants'))
    direct = await Storescp.start(join(temp.path, 'direct'))
    routed = await Storescp.start(join(temp.path, 'routed'))
    const streams = join(temp.path, 'streams')
    await writeProcessStreams(streams, [{ aeTitle: 'COPY', script: COPY_INPUT }])
    box = await BoxProcess.start({
      dataDir: join(temp.path, 'data'),
      streamsDir: streams,
      settings: { receiver: { engine } },
      routing: {
        routing: [
          { name: 'received files back out', AETitleIn: '^COPY$', RouteDirectory: 'INPUT', send: [{ '.*': { IP: '127.0.0.1', PORT: routed.port, AETitleTo: 'ROUTED', AETitleSender: 'MAGICKBOX' } }] },
        ],
      },
    })
  })

  after(async () => {
    await box?.stop()
    await direct?.stop()
    await routed?.stop()
    await temp?.remove()
  })

  it('stores and routes all eight transfer syntaxes without changing a byte', async () => {
    for (const v of variants) {
      const toBox = await storescu(box.port, 'COPY', [v.path], v.storescuOptions)
      assert.equal(toBox.exitCode, 0, `storescu to the box (${v.name}): ${toBox.output}`)
      const toDirect = await storescu(direct.port, 'DIRECT', [v.path], v.storescuOptions)
      assert.equal(toDirect.exitCode, 0, `storescu to storescp (${v.name}): ${toDirect.output}`)
    }
    const jobs = await box.waitForFinishedJobs(2, 60_000)
    assert.deepEqual(
      jobs.map((j) => [j.state, j.instances]).sort(),
      [['done', 1], ['done', 7]],
      'one job per study (7 CT variants, 1 JPEG 2000 MR), all delivered',
    )
    const stored = await bySopInstance((await Promise.all(jobs.map((j) => box.inputFiles(j.id)))).flat())
    const received = await bySopInstance(await direct.files())
    const forwarded = await bySopInstance(await routed.files())
    for (const v of variants) {
      const { sopInstanceUid } = await datasetOf(v.path)
      const mine = stored.get(sopInstanceUid)
      const reference = received.get(sopInstanceUid)
      const out = forwarded.get(sopInstanceUid)
      assert.ok(mine && reference && out, `${v.name}: stored ${Boolean(mine)}, reference ${Boolean(reference)}, forwarded ${Boolean(out)}`)
      assert.equal(mine.transferSyntaxUid, v.transferSyntaxUid, `${v.name} is stored in the syntax it arrived in`)
      assert.equal(out.transferSyntaxUid, v.transferSyntaxUid, `${v.name} is forwarded in the syntax it arrived in`)
      assert.ok(sameBytes(mine.bytes, reference.bytes, v.transferSyntaxUid), `${v.name}: the stored data set equals what storescp -B received`)
      assert.ok(sameBytes(mine.bytes, out.bytes, v.transferSyntaxUid), `${v.name}: the forwarded data set equals the stored one`)
    }
  })
})
