/**
 * The receiver, driven by real peers (dcmtk's echoscu and storescu, and a misbehaving client
 * built from the box's PDU codec): which associations it takes, and that nothing partial or
 * unsafe is ever stored.
 */
import assert from 'node:assert/strict'
import { readdir, readFile, writeFile, mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { execa } from 'execa'
import { readEnvelopeFromBuffer } from '../../../supervisor/dicom/part10-file.js'
import { ScuAssociation } from '../../../supervisor/dicom/scu-association.js'
import { BoxProcess } from '../../helpers/box-process.js'
import { echoscu, storescu } from '../../helpers/dicom-peers.js'
import { writeProcessStreams } from '../../helpers/fixture-streams.js'
import { RawDicomClient } from '../../helpers/raw-dicom-client.js'
import { CT_TEMPLATE, makeStudy, newUid } from '../../helpers/study-fixtures.js'
import { tempFolder } from '../../helpers/temp-folder.js'
import { waitFor } from '../../helpers/wait-for.js'

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2'
const EXPLICIT_LE = '1.2.840.10008.1.2.1'

for (const engine of ['lean', 'dcmjs-dimse'] as const)
describe(`the receiver (${engine} engine)`, () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  let box: BoxProcess
  let streams: string
  let study: string[]
  let incoming: string

  // Every instance file waiting in the incoming groups, and every temp file.
  const stored = async () => {
    const out: string[] = []
    for (const group of await readdir(incoming).catch(() => [] as string[])) {
      if (group.startsWith('.')) continue
      for (const name of await readdir(join(incoming, group))) if (name.endsWith('.dcm')) out.push(join(incoming, group, name))
    }
    return out
  }
  const temps = async () => readdir(join(incoming, '.tmp')).catch(() => [] as string[])

  const scu = (calledAE: string) => ({
    host: '127.0.0.1',
    port: box.port,
    calledAE,
    callingAE: 'CRAFTED',
    connectTimeoutMs: 5000,
    responseTimeoutMs: 10_000,
    maxPduLength: 65536,
  })

  before(async () => {
    temp = await tempFolder()
    streams = join(temp.path, 'streams')
    // A long quiet period keeps received instances in incoming/ where the tests look at them.
    await writeProcessStreams(streams, [
      { aeTitle: 'HOLD', script: 'true', info: { quietSeconds: 3600 } },
      { aeTitle: 'OFF', script: 'true', info: { enabled: 0 } },
    ])
    study = await makeStudy(CT_TEMPLATE, 3, join(temp.path, 'study'))
    box = await BoxProcess.start({ dataDir: join(temp.path, 'data'), streamsDir: streams, settings: { receiver: { engine, maxAssociationsPerIP: 32 } } })
    incoming = join(temp.path, 'data', 'scratch', 'incoming')
  })

  after(async () => {
    await box?.stop()
    await temp?.remove()
  })

  it('answers C-ECHO on its own AE title and on a stream AE title', async () => {
    assert.equal((await echoscu(box.port, 'MAGICKBOX')).exitCode, 0)
    assert.equal((await echoscu(box.port, 'HOLD')).exitCode, 0)
  })

  it('rejects an unknown called AE title with "called AE title not recognized" and logs why', async () => {
    const result = await echoscu(box.port, 'NOSUCHAE')
    assert.notEqual(result.exitCode, 0)
    assert.match(result.output, /Called AE Title Not Recognized/i)
    assert.match(await box.log('receiver'), /rejected association .* -> NOSUCHAE: called AE title "NOSUCHAE" is not recognized/)
  })

  it('rejects a disabled stream like an unknown AE title', async () => {
    const result = await echoscu(box.port, 'OFF')
    assert.match(result.output, /Called AE Title Not Recognized/i)
  })

  it('refuses storage to its own AE title, which only answers C-ECHO', async () => {
    const result = await storescu(box.port, 'MAGICKBOX', [study[0]!])
    assert.notEqual(result.exitCode, 0)
    assert.match(result.output, /No Acceptable Presentation Contexts/i)
    assert.deepEqual(await stored(), [])
  })

  it('stores a study sent with storescu as valid Part-10 files named by SOP Instance UID', async () => {
    const result = await storescu(box.port, 'HOLD', study)
    assert.equal(result.exitCode, 0, result.output)
    const files = await stored()
    assert.equal(files.length, 3)
    for (const file of files) {
      const envelope = readEnvelopeFromBuffer(await readFile(file))
      assert.equal(file.endsWith(`${envelope.sopInstanceUid}.dcm`), true)
      assert.equal((await execa('dcmftest', [file], { reject: false })).exitCode, 0, `${file} passes dcmftest`)
    }
    const group = JSON.parse(await readFile(join(files[0]!, '..', 'group.json'), 'utf8'))
    assert.equal(group.calledAE, 'HOLD')
    assert.equal(group.callingAE, 'STORESCU')
    assert.equal(group.callerIP, '127.0.0.1')
  })

  it('replaces an instance that arrives twice in the same study group, and logs it', async () => {
    const before = (await stored()).length
    assert.equal((await storescu(box.port, 'HOLD', [study[0]!])).exitCode, 0)
    assert.equal((await stored()).length, before)
    assert.match(await box.log('receiver'), /arrived again and replaced the earlier copy/)
  })

  it('answers a SOP Instance UID that is not a UID with a failure status and writes nothing', async () => {
    const before = await stored()
    const association = await ScuAssociation.open(scu('HOLD'), [{ abstractSyntax: CT_IMAGE_STORAGE, transferSyntax: EXPLICIT_LE }])
    for (const evil of ['../../../etc/passwd', '1.2.3/4', `1.${'2'.repeat(70)}`, '1..2']) {
      const file = join(temp.path, 'evil.dcm')
      await execa('cp', [study[1]!, file])
      await execa('dcmodify', ['-nb', '-i', `(0008,0018)=${evil}`, file])
      const envelope = readEnvelopeFromBuffer(await readFile(file))
      const response = await association.store({ ...envelope, path: file, sopInstanceUid: evil }, association.contextFor(CT_IMAGE_STORAGE, EXPLICIT_LE)!)
      assert.equal(response.status, 0xc000, `status for ${evil} (${response.errorComment})`)
    }
    await association.release()
    assert.deepEqual(await stored(), before)
    assert.deepEqual(await temps(), [])
  })

  it('answers a truncated data set with a failure status and writes nothing', async () => {
    const before = await stored()
    const buffer = await readFile(study[2]!)
    const envelope = readEnvelopeFromBuffer(buffer)
    const sopInstanceUid = newUid()
    const truncated = join(temp.path, 'truncated.dcm')
    await writeFile(truncated, buffer.subarray(0, buffer.length - 5000))
    const association = await ScuAssociation.open(scu('HOLD'), [{ abstractSyntax: CT_IMAGE_STORAGE, transferSyntax: EXPLICIT_LE }])
    const response = await association.store({ ...envelope, fileSize: buffer.length - 5000, path: truncated, sopInstanceUid }, association.contextFor(CT_IMAGE_STORAGE, EXPLICIT_LE)!)
    await association.release()
    assert.equal(response.status, 0xc000)
    assert.match(response.errorComment, /malformed/)
    assert.deepEqual(await stored(), before)
    assert.deepEqual(await temps(), [])
  })

  it('answers a data set whose SOP Instance UID differs from the command with 0xA900', async () => {
    const before = await stored()
    const buffer = await readFile(study[2]!)
    const envelope = readEnvelopeFromBuffer(buffer)
    const association = await ScuAssociation.open(scu('HOLD'), [{ abstractSyntax: CT_IMAGE_STORAGE, transferSyntax: EXPLICIT_LE }])
    const response = await association.store({ ...envelope, path: study[2]!, sopInstanceUid: newUid() }, association.contextFor(CT_IMAGE_STORAGE, EXPLICIT_LE)!)
    await association.release()
    assert.equal(response.status, 0xa900)
    assert.deepEqual(await stored(), before)
  })

  it('leaves nothing behind when the sender aborts or disconnects mid-transfer, and keeps serving', async () => {
    const before = await stored()
    const buffer = await readFile(study[0]!)
    const envelope = readEnvelopeFromBuffer(buffer)
    const dataset = buffer.subarray(envelope.datasetOffset)
    for (const ending of ['abort', 'disconnect'] as const) {
      const client = await RawDicomClient.connect(box.port)
      assert.equal(await client.associate('HOLD', CT_IMAGE_STORAGE, EXPLICIT_LE), 2, 'association accepted')
      client.sendStoreCommand(CT_IMAGE_STORAGE, newUid())
      client.sendData(dataset.subarray(0, 20_000), false)
      await waitFor('the first half to be on disk', async () => (await temps()).length === 1, 5000, 20)
      if (ending === 'abort') client.abort()
      client.destroy()
      await waitFor('the temp file to be removed', async () => (await temps()).length === 0, 5000, 50)
    }
    assert.deepEqual(await stored(), before)
    assert.equal((await echoscu(box.port, 'HOLD')).exitCode, 0)
    assert.match(await box.log('receiver'), /incomplete instance\(s\) discarded/)
  })

  it('serves 20 associations at once, each storing its instances', async () => {
    const before = (await stored()).length
    const studies = await Promise.all(Array.from({ length: 20 }, (_, i) => makeStudy(CT_TEMPLATE, 2, join(temp.path, `parallel-${engine}-${i}`))))
    const results = await Promise.all(studies.map((files, i) => storescu(box.port, 'HOLD', files, [], `SENDER${i}`)))
    assert.deepEqual(results.map((r) => r.exitCode), Array(20).fill(0))
    assert.equal((await stored()).length, before + 40)
  })

  it('refuses both streams when two enabled streams claim one AE title, with a clear log line', async () => {
    await writeProcessStreams(streams, [{ aeTitle: 'TWIN', script: 'true' }])
    await mkdir(join(streams, 'TWIN-copy'), { recursive: true })
    await writeFile(join(streams, 'TWIN-copy', 'info.json'), JSON.stringify({ AETitle: 'TWIN', runner: 'process', command: ['./run.sh'] }))
    await waitFor('the clash to be noticed', async () => /claimed by more than one enabled stream/.test(await box.log('supervisor')), 10_000)
    assert.match((await echoscu(box.port, 'TWIN')).output, /Called AE Title Not Recognized/i)
    await rm(join(streams, 'TWIN-copy'), { recursive: true })
    await waitFor('TWIN to be accepted again', async () => (await echoscu(box.port, 'TWIN')).exitCode === 0, 10_000)
  })

  it('takes a stream folder added while it runs, without a restart', async () => {
    assert.notEqual((await echoscu(box.port, 'LATECOMER')).exitCode, 0)
    await writeProcessStreams(streams, [{ aeTitle: 'LATECOMER', script: 'true' }])
    await waitFor('the new stream to be accepted', async () => (await echoscu(box.port, 'LATECOMER')).exitCode === 0, 10_000)
  })
})
