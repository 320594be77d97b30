/**
 * A graceful stop (SIGTERM): the box stops taking associations, lets the C-STORE in flight finish
 * and answers it, exits 0, and the instance it acknowledged becomes a job at the next start.
 */
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { readEnvelopeFromBuffer } from '../../supervisor/dicom/part10-file.js'
import { decodeResponse } from '../../supervisor/dicom/pdu/dimse-command.js'
import { decodePdvs } from '../../supervisor/dicom/pdu/pdu-codec.js'
import { PduType } from '../../supervisor/dicom/pdu/pdu-types.js'
import { BoxProcess } from '../helpers/box-process.js'
import { echoscu } from '../helpers/dicom-peers.js'
import { COPY_INPUT, writeProcessStreams } from '../helpers/fixture-streams.js'
import { RawDicomClient } from '../helpers/raw-dicom-client.js'
import { CT_TEMPLATE, makeStudy } from '../helpers/study-fixtures.js'
import { tempFolder } from '../helpers/temp-folder.js'
import { waitFor } from '../helpers/wait-for.js'

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2'
const EXPLICIT_LE = '1.2.840.10008.1.2.1'

describe('a graceful stop', () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  let box: BoxProcess

  before(async () => {
    temp = await tempFolder()
    const streams = join(temp.path, 'streams')
    await writeProcessStreams(streams, [{ aeTitle: 'COPY', script: COPY_INPUT }])
    box = await BoxProcess.start({ dataDir: join(temp.path, 'data'), streamsDir: streams, settings: { receiver: { workers: 1 } } })
  })
  after(async () => {
    await box?.stop()
    await temp?.remove()
  })

  it('finishes the C-STORE in flight, refuses new associations meanwhile, exits 0, and keeps the instance for the next start', async () => {
    const [file] = await makeStudy(CT_TEMPLATE, 1, join(temp.path, 'study'))
    const bytes = await readFile(file!)
    const envelope = readEnvelopeFromBuffer(bytes)
    const dataset = bytes.subarray(envelope.datasetOffset)
    const client = await RawDicomClient.connect(box.port)
    assert.equal(await client.associate('COPY', CT_IMAGE_STORAGE, EXPLICIT_LE), PduType.AssociateAC)
    client.sendStoreCommand(CT_IMAGE_STORAGE, envelope.sopInstanceUid)
    client.sendData(dataset.subarray(0, 2000), false)
    const temps = join(box.options.dataDir, 'scratch', 'incoming', '.tmp')
    await waitFor('the first bytes on disk', async () => (await readdir(temps).catch(() => [])).length === 1, 5000, 20)

    const stopped = box.stop()
    await waitFor('the box to stop taking associations', async () => (await echoscu(box.port, 'MAGICKBOX')).exitCode !== 0, 5000, 100)
    client.sendData(dataset.subarray(2000), true)
    const answer = await client.nextPdu(5000)
    assert.equal(answer.type, PduType.PData, 'the C-STORE is answered, not aborted')
    const [pdv] = [...decodePdvs(answer.body)]
    assert.equal(decodeResponse(pdv!.data).status, 0, 'with Success')
    client.destroy()
    assert.equal(await stopped, 0, 'the box exits 0')

    await box.launch()
    const [job] = await box.waitForFinishedJobs(1, 30_000)
    assert.equal(job!.instances, 1)
    const [input] = await readdir(join(box.jobFolder(job!.id), 'input'))
    const kept = await readFile(join(box.jobFolder(job!.id), 'input', input!))
    assert.ok(kept.subarray(readEnvelopeFromBuffer(kept).datasetOffset).equals(dataset), 'the instance, byte for byte')
  })
})
