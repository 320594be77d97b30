/**
 * Reading a streams folder: which streams take studies, why the others do not, and the catalog
 * that re-reads the folder when its snapshot is old.
 */
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { loadStreams, StreamCatalog } from '../../../supervisor/streams/load-streams.js'

let root: string

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'magickbox-streams-'))
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

// Write <root>/<folder>/info.json (a string is written as it is).
async function stream(folder: string, info: Record<string, unknown> | string): Promise<string> {
  const dir = join(root, folder)
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'info.json'), typeof info === 'string' ? info : JSON.stringify(info))
  return dir
}
const problemOf = (folder: string) => loadStreams(root).entries.find((e) => e.folder === join(root, folder))?.problem

describe('loadStreams', () => {
  it('makes every valid enabled stream usable by its AE title', async () => {
    await stream('a-echo', { AETitle: 'ECHO', enabled: 1 })
    await stream('b-seg', { AETitle: 'SEG', enabled: true, version: '2' })
    const snapshot = loadStreams(root)
    assert.deepEqual([...snapshot.byAeTitle.keys()].sort(), ['ECHO', 'SEG'])
    assert.equal(snapshot.byAeTitle.get('SEG')!.folder, join(root, 'b-seg'))
    assert.deepEqual(snapshot.entries.map((e) => e.problem), [undefined, undefined])
  })

  it('lists a disabled stream with its reason but does not use it', async () => {
    await stream('off', { AETitle: 'OFF', enabled: 0 })
    const snapshot = loadStreams(root)
    assert.equal(snapshot.byAeTitle.has('OFF'), false)
    assert.equal(snapshot.entries[0]!.definition!.aeTitle, 'OFF')
    assert.equal(snapshot.entries[0]!.problem, 'disabled in info.json')
  })

  it('lists a stream with a bad info.json with its problems', async () => {
    await stream('bad-field', { AETitle: 'BAD', colour: 'red' })
    await stream('bad-json', '{"AETitle": ')
    const snapshot = loadStreams(root)
    assert.equal(snapshot.byAeTitle.size, 0)
    assert.match(problemOf('bad-field')!, /^info\.json: unknown field "colour"/)
    assert.match(problemOf('bad-json')!, /^info\.json: /)
    assert.equal(snapshot.entries.find((e) => e.folder === join(root, 'bad-json'))!.definition, undefined)
  })

  it('refuses both enabled streams that claim one AE title, naming both folders', async () => {
    const first = await stream('one', { AETitle: 'SAME' })
    const second = await stream('two', { AETitle: ' SAME ', enabled: 'true' })
    await stream('other', { AETitle: 'OTHER' })
    const snapshot = loadStreams(root)
    assert.equal(snapshot.byAeTitle.has('SAME'), false)
    assert.equal(snapshot.byAeTitle.has('OTHER'), true)
    for (const folder of ['one', 'two']) {
      const problem = problemOf(folder)!
      assert.match(problem, /AE title "SAME" is claimed by more than one enabled stream/)
      assert.ok(problem.includes(first) && problem.includes(second), problem)
    }
  })

  it('lets a disabled stream share an AE title without a clash', async () => {
    await stream('live', { AETitle: 'SAME' })
    await stream('old', { AETitle: 'SAME', enabled: false })
    const snapshot = loadStreams(root)
    assert.equal(snapshot.byAeTitle.get('SAME')!.folder, join(root, 'live'))
    assert.equal(problemOf('live'), undefined)
    assert.equal(problemOf('old'), 'disabled in info.json')
  })

  it('ignores folders without info.json, hidden folders and plain files', async () => {
    await mkdir(join(root, 'shared'))
    await writeFile(join(root, 'shared', 'lib.sh'), 'true')
    await stream('.hidden', { AETitle: 'HIDDEN' })
    await writeFile(join(root, 'README.md'), '# streams')
    await stream('real', { AETitle: 'REAL' })
    const snapshot = loadStreams(root)
    assert.deepEqual(snapshot.entries.map((e) => e.folder), [join(root, 'real')])
  })

  it('gives an empty catalog for a streams folder that does not exist', () => {
    const snapshot = loadStreams(join(root, 'missing'))
    assert.deepEqual(snapshot.entries, [])
    assert.equal(snapshot.byAeTitle.size, 0)
  })

  it('lists entries in folder name order', async () => {
    for (const name of ['c', 'a', 'b']) await stream(name, { AETitle: name.toUpperCase() })
    assert.deepEqual(loadStreams(root).entries.map((e) => e.definition!.aeTitle), ['A', 'B', 'C'])
  })
})

describe('StreamCatalog', () => {
  it('keeps its snapshot until it is older than the maximum age', async () => {
    await stream('first', { AETitle: 'FIRST' })
    const catalog = new StreamCatalog(root, 60_000)
    assert.ok(catalog.find('FIRST'))
    await stream('second', { AETitle: 'SECOND' })
    assert.equal(catalog.find('SECOND'), undefined, 'a fresh snapshot is not re-read')
  })

  it('re-reads the folder once the snapshot is older than the maximum age', async () => {
    await stream('first', { AETitle: 'FIRST' })
    const catalog = new StreamCatalog(root, 30)
    assert.equal(catalog.find('SECOND'), undefined)
    await stream('second', { AETitle: 'SECOND' })
    await sleep(60)
    assert.equal(catalog.find('SECOND')!.folder, join(root, 'second'))
  })

  it('finds a stream by its AE title with surrounding spaces ignored, case-sensitively', async () => {
    await stream('echo', { AETitle: 'ECHO' })
    const catalog = new StreamCatalog(root)
    assert.equal(catalog.find('  ECHO ')!.aeTitle, 'ECHO')
    assert.equal(catalog.find('echo'), undefined)
  })
})
