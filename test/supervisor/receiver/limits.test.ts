/**
 * The receiver's limits and allow-lists, each answered the DICOM way and logged: associations at
 * once (in all, per caller), the largest PDU, the largest instance, idle associations, and who
 * may send to a stream.
 */
import assert from 'node:assert/strict'
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { PduType } from '../../../supervisor/dicom/pdu/pdu-types.js'
import { BoxProcess } from '../../helpers/box-process.js'
import { echoscu, storescu } from '../../helpers/dicom-peers.js'
import { writeProcessStreams } from '../../helpers/fixture-streams.js'
import { RawDicomClient } from '../../helpers/raw-dicom-client.js'
import { CT_TEMPLATE, makeLargeInstance, makeStudy } from '../../helpers/study-fixtures.js'
import { tempFolder } from '../../helpers/temp-folder.js'
import { waitFor } from '../../helpers/wait-for.js'

const CT = '1.2.840.10008.5.1.4.1.1.2'
const EXPLICIT_LE = '1.2.840.10008.1.2.1'

describe('receiver limits and allow-lists', () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  let box: BoxProcess
  let streams: string
  const clients: RawDicomClient[] = []

  before(async () => {
    temp = await tempFolder()
    streams = join(temp.path, 'streams')
    await writeProcessStreams(streams, [
      { aeTitle: 'HOLD', script: 'true', info: { quietSeconds: 3600 } },
      { aeTitle: 'ONLYGOOD', script: 'true', info: { quietSeconds: 3600, allowedCallers: { aeTitles: ['GOOD'] } } },
      { aeTitle: 'FARNET', script: 'true', info: { quietSeconds: 3600, allowedCallers: { ips: ['10.0.0.0/8'] } } },
    ])
    box = await BoxProcess.start({
      dataDir: join(temp.path, 'data'),
      streamsDir: streams,
      settings: { receiver: { workers: 1, maxAssociations: 4, maxAssociationsPerIP: 3, maxPduLength: 16384, maxInstanceBytes: 200 * 1024, idleTimeoutSeconds: 2 } },
    })
  })

  after(async () => {
    for (const c of clients) c.destroy()
    await box?.stop()
    await temp?.remove()
  })

  const hold = async (from?: string) => {
    const client = await RawDicomClient.connect(box.port, from)
    clients.push(client)
    assert.equal(await client.associate('HOLD', CT, EXPLICIT_LE), PduType.AssociateAC)
    return client
  }

  it('rejects an association past the limit per caller address, then past the total, with "local limit exceeded", but never the heartbeat', async () => {
    const held = [await hold(), await hold(), await hold()]
    const fourth = await echoscu(box.port, 'HOLD')
    assert.notEqual(fourth.exitCode, 0)
    assert.match(fourth.output, /Local Limit Exceeded/i)
    assert.match(await box.log('receiver'), /already 3 associations from 127\.0\.0\.1 at once \(receiver\.maxAssociationsPerIP\)/)
    held.push(await hold('127.0.0.2'))
    const fifth = await RawDicomClient.connect(box.port, '127.0.0.3')
    clients.push(fifth)
    assert.equal(await fifth.associate('HOLD', CT, EXPLICIT_LE), PduType.AssociateRJ)
    assert.match(await box.log('receiver'), /already 4 associations at once \(receiver\.maxAssociations\)/)
    // The supervisor's heartbeat still gets through: a full receiver is busy, not hung.
    assert.equal((await echoscu(box.port, 'MAGICKBOX')).exitCode, 0, "a C-ECHO to the box's own AE title from this machine is let in past the limits")
    for (const c of held) c.destroy()
    await waitFor('room again', async () => (await echoscu(box.port, 'HOLD')).exitCode === 0, 10_000)
  })

  it('aborts an association that sends a PDU larger than agreed, and one that stays idle', async () => {
    const big = await hold()
    big.sendStoreCommand(CT, '1.2.3.4')
    big.sendData(Buffer.alloc(20_000), false)
    const abort = await big.nextPdu()
    assert.equal(abort.type, PduType.Abort)
    const idle = await hold()
    const t = Date.now()
    assert.equal((await idle.nextPdu(6000)).type, PduType.Abort)
    assert.ok(Date.now() - t >= 1500, 'after the idle timeout')
    const log = await box.log('receiver')
    assert.match(log, /aborted by the box: malformed PDU: P-DATA-TF of \d+ bytes is larger than the 16384 agreed/)
    assert.match(log, /aborted by the box: idle for 2 s/)
  })

  it('aborts an instance larger than the limit and keeps nothing of it', async () => {
    const big = join(temp.path, 'big.dcm')
    await makeLargeInstance(big, 1)
    const sent = await storescu(box.port, 'HOLD', [big])
    assert.notEqual(sent.exitCode, 0)
    assert.match(await box.log('receiver'), /is larger than the 200 KB the receiver takes \(receiver\.maxInstanceBytes\)/)
    const incoming = join(box.options.dataDir, 'scratch', 'incoming')
    const groups = (await readdir(incoming)).filter((g) => !g.startsWith('.'))
    assert.equal(groups.length, 0)
    assert.deepEqual(await readdir(join(incoming, '.tmp')), [])
  })

  it('takes a stream\'s studies only from the calling AE titles and addresses it allows', async () => {
    const study = await makeStudy(CT_TEMPLATE, 1, join(temp.path, 'allow'))
    const bad = await storescu(box.port, 'ONLYGOOD', study, [], 'BADGUY')
    assert.notEqual(bad.exitCode, 0)
    assert.match(bad.output, /Calling AE Title Not Recognized/i)
    assert.equal((await storescu(box.port, 'ONLYGOOD', study, [], 'GOOD')).exitCode, 0)
    const far = await storescu(box.port, 'FARNET', study)
    assert.notEqual(far.exitCode, 0)
    const log = await box.log('receiver')
    assert.match(log, /rejected association BADGUY@127\.0\.0\.1 -> ONLYGOOD: calling AE title "BADGUY" is not in stream ONLYGOOD's allowedCallers/)
    assert.match(log, /-> FARNET: caller address 127\.0\.0\.1 is not in the ranges of stream FARNET's allowedCallers/)
  })

  it('applies the default allowedCallers to streams without their own', async () => {
    const dataDir = join(temp.path, 'data-default')
    await mkdir(dataDir, { recursive: true })
    const strict = await BoxProcess.start({ dataDir, streamsDir: streams, settings: { receiver: { allowedCallers: { aeTitles: ['PACS1'], ips: [] } } } })
    try {
      const study = await makeStudy(CT_TEMPLATE, 1, join(temp.path, 'default-allow'))
      assert.notEqual((await storescu(strict.port, 'HOLD', study, [], 'STRANGER')).exitCode, 0)
      assert.equal((await storescu(strict.port, 'HOLD', study, [], 'PACS1')).exitCode, 0)
      assert.equal((await echoscu(strict.port, 'MAGICKBOX')).exitCode, 0, 'the box\'s own AE title still answers C-ECHO (the heartbeat)')
    } finally {
      await strict.stop()
    }
  })
})
