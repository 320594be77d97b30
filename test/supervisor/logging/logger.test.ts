/**
 * The log files: one line per event, control characters escaped, rotated by size with a cap.
 */
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { after, before, describe, it } from 'node:test'
import { createLogger, oneLine } from '../../../supervisor/logging/logger.js'
import { tempFolder } from '../../helpers/temp-folder.js'

describe('logger', () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  before(async () => (temp = await tempFolder()))
  after(async () => temp.remove())

  it('writes one line per event, with time, level and part', async () => {
    const log = createLogger('part', { folder: temp.path, console: false })
    log.info('hello')
    log.close()
    assert.match(await readFile(`${temp.path}/part.log`, 'utf8'), /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO  part: hello\n$/)
  })

  it('escapes CR, LF and other control characters so a value cannot forge a line', () => {
    assert.equal(oneLine('AE\r\n2026-01-01 ERROR forged\u0007'), 'AE\\r\\n2026-01-01 ERROR forged\\x07')
  })

  it('rotates past maxBytes and keeps at most `keep` old files, so a part never grows without bound', async () => {
    const log = createLogger('busy', { folder: temp.path, console: false, maxBytes: 4096, keep: 2 })
    for (let i = 0; i < 1000; i++) log.info(`line ${i} ${'x'.repeat(50)}`)
    log.close()
    const files = (await readdir(temp.path)).filter((n) => n.startsWith('busy.log')).sort()
    assert.deepEqual(files, ['busy.log', 'busy.log.1', 'busy.log.2'])
    for (const f of files) assert.ok((await readFile(`${temp.path}/${f}`)).length <= 4096, `${f} is within maxBytes`)
    assert.match(await readFile(`${temp.path}/busy.log`, 'utf8'), /line 999 /)
  })

  it('keeps the cap when several processes write one part (the receiver workers), each following the others\' rotations', async () => {
    // Two loggers of one part, each with its own file descriptor, as two processes have.
    const a = createLogger('shared', { folder: temp.path, console: false, maxBytes: 4096, keep: 3 })
    const b = createLogger('shared', { folder: temp.path, console: false, maxBytes: 4096, keep: 3 })
    for (let i = 0; i < 120; i++) (i % 2 ? b : a).info(`line ${String(i).padStart(3, '0')} ${'x'.repeat(50)}`)
    a.close()
    b.close()
    const files = (await readdir(temp.path)).filter((n) => n.startsWith('shared.log')).sort()
    const lines: string[] = []
    for (const f of files) {
      const text = await readFile(`${temp.path}/${f}`, 'utf8')
      assert.ok(Buffer.byteLength(text) <= 4096, `${f} is within maxBytes (${Buffer.byteLength(text)})`)
      lines.push(...text.trimEnd().split('\n'))
    }
    const numbers = lines.map((l) => Number(/line (\d+)/.exec(l)![1])).sort((x, y) => x - y)
    assert.equal(new Set(numbers).size, numbers.length, 'no line twice')
    assert.equal(numbers.at(-1), 119, 'the newest line is kept')
    assert.deepEqual(numbers, Array.from({ length: numbers.length }, (_, k) => 120 - numbers.length + k), 'what is kept is the newest lines, without a gap')
  })

  it('drops lines below its level', async () => {
    const log = createLogger('quiet', { folder: temp.path, console: false, level: 'warn' })
    log.info('not this')
    log.warn('this')
    log.close()
    assert.doesNotMatch(await readFile(`${temp.path}/quiet.log`, 'utf8'), /not this/)
  })
})
