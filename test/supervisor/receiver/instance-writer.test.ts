/**
 * The writer behind every received instance: bytes on disk exactly as given, the head kept in
 * memory for checking, backpressure when bytes pile up, refusals and discards leave nothing.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { InstanceWriter } from '../../../supervisor/receiver/instance-writer.js'
import { tempFolder } from '../../helpers/temp-folder.js'

const pattern = (n: number, seed: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff))

describe('InstanceWriter', () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  before(async () => (temp = await tempFolder()))
  after(async () => temp.remove())

  it('writes the header and every chunk, in order, byte for byte', async () => {
    const path = join(temp.path, 'a.part')
    const writer = new InstanceWriter(path, Buffer.from('HEADER'))
    const chunks = [pattern(1000, 1), pattern(70_000, 2), pattern(3, 3), pattern(200_000, 4)]
    for (const chunk of chunks) writer.write(chunk)
    await writer.finish()
    assert.ok((await readFile(path)).equals(Buffer.concat([Buffer.from('HEADER'), ...chunks])))
  })

  it('serves the first 64 KiB from memory and the rest from the file', async () => {
    const path = join(temp.path, 'b.part')
    const writer = new InstanceWriter(path, Buffer.alloc(0))
    const data = pattern(300_000, 9)
    writer.write(data.subarray(0, 100_000))
    writer.write(data.subarray(100_000))
    await writer.finish()
    const source = writer.source()
    assert.equal(source.length, 300_000)
    assert.ok(source.read(10, 100).equals(data.subarray(10, 110)))
    assert.ok(source.read(65_000, 2_000).equals(data.subarray(65_000, 67_000)), 'across the end of the head')
    assert.ok(source.read(299_990, 10).equals(data.subarray(299_990)))
    source.close()
  })

  it('asks to pause the socket when bytes pile up, and to resume once the disk caught up', async () => {
    const calls: boolean[] = []
    const writer = new InstanceWriter(join(temp.path, 'c.part'), Buffer.alloc(0), { highWaterBytes: 64 * 1024, onBackpressure: (behind) => calls.push(behind) })
    // Written before the event loop can run a single write: all of it piles up.
    for (let i = 0; i < 40; i++) writer.write(pattern(16 * 1024, i))
    assert.deepEqual(calls, [true])
    await writer.finish()
    assert.deepEqual(calls, [true, false])
  })

  it('stops with the refusal when the disk must not take more, and discarding leaves no file', async () => {
    const path = join(temp.path, 'd.part')
    const writer = new InstanceWriter(path, Buffer.alloc(0), { spaceCheckBytes: 1024, checkSpace: () => new Error('no room') })
    writer.write(pattern(4096, 1))
    await assert.rejects(writer.finish(), /no room/)
    await writer.discard()
    assert.equal(existsSync(path), false)
  })

  it('never overwrites an existing file (temp names are unique; a clash is an error, not a mix)', async () => {
    const path = join(temp.path, 'a.part')
    const writer = new InstanceWriter(path, Buffer.from('x'))
    await assert.rejects(writer.finish(), /EEXIST/)
  })
})
