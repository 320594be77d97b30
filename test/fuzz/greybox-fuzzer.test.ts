/**
 * The fuzzer itself, on targets with planted bugs: coverage guidance finds what blind mutation
 * does not, the same seed makes the same run, and a hang and a huge allocation are caught as
 * crashes with the input that caused them.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { join } from 'node:path'
import { tempFolder } from '../helpers/temp-folder.js'
import { AllocationGuard } from './allocation-guard.js'
import { BlockCoverage } from './block-coverage.js'
import { writeCorpusEntry } from './corpus-files.js'
import { runFuzzCampaign } from './fuzz-campaign.js'
import { GreyboxFuzzer } from './greybox-fuzzer.js'
import { magicTarget } from './fixtures/planted-bugs.js'

const FIXTURE = new URL('./fixtures/planted-bugs.ts', import.meta.url).href

describe('the greybox fuzzer', () => {
  let coverage: BlockCoverage

  before(() => {
    coverage = new BlockCoverage((url) => url === FIXTURE)
    coverage.start()
  })

  after(() => coverage.stop())

  const fuzzMagic = async (seed: string, feedback: boolean, maxExecutions = 8000) => {
    const fuzzer = new GreyboxFuzzer(magicTarget, { seed, coverage, feedback, guard: new AllocationGuard(32 * 1024 * 1024) })
    await fuzzer.loadSeeds([Buffer.from('xxxx')])
    await fuzzer.fuzz({ until: Date.now() + 30_000, maxExecutions })
    return fuzzer.stats()
  }

  it('finds a bug behind four nested byte comparisons with coverage guidance, and not without', async (t) => {
    const guided = await fuzzMagic('planted', true)
    const blind = await fuzzMagic('planted', false)
    t.diagnostic(`guided: ${guided.executions} executions, corpus ${guided.corpus}, ${guided.coverageBlocks} blocks, crashes ${guided.crashes.length}`)
    t.diagnostic(`blind: ${blind.executions} executions, corpus ${blind.corpus}, crashes ${blind.crashes.length}`)
    assert.equal(guided.crashes.length, 1)
    assert.match(guided.crashes[0]!.message, /TypeError: planted: MAGI reached/)
    assert.equal(guided.crashes[0]!.input.subarray(0, 4).toString('latin1'), 'MAGI')
    assert.ok(guided.corpus > 1, 'inputs that reached new comparisons joined the corpus')
    assert.equal(blind.crashes.length, 0)
    assert.equal(blind.corpus, 1, 'without feedback nothing joins the corpus')
  })

  it('makes the same run again from the same seed', async () => {
    const a = await fuzzMagic('same-seed', true, 3000)
    const b = await fuzzMagic('same-seed', true, 3000)
    assert.equal(a.executions, b.executions)
    assert.equal(a.corpus, b.corpus)
    assert.deepEqual(a.crashes.map((c) => c.input.toString('hex')), b.crashes.map((c) => c.input.toString('hex')))
  })

  it('catches an endless loop and a huge allocation as crashes, with their inputs, and goes on', async (t) => {
    // Seeds one byte short of each bug: this is about catching them, not finding them.
    const seeds = await tempFolder()
    writeCorpusEntry(join(seeds.path, 'planted-hang'), Buffer.from('HAx'))
    writeCorpusEntry(join(seeds.path, 'planted-allocation'), Buffer.from('Bx'))
    const results = await runFuzzCampaign({
      targets: ['planted-hang', 'planted-allocation'],
      secondsPerTarget: 10,
      parallel: 2,
      seed: 'planted',
      registryUrl: FIXTURE,
      include: [FIXTURE],
      seedFolders: (target) => [join(seeds.path, target)],
      execTimeoutMs: 500,
    })
    await seeds.remove()
    const [hang, allocation] = results
    t.diagnostic(`hang: ${hang!.executions} executions, crashes ${hang!.crashes.map((c) => c.signature).join('; ')}, processes replaced ${hang!.restarts}`)
    t.diagnostic(`allocation: ${allocation!.executions} executions, crashes ${allocation!.crashes.map((c) => c.signature).join('; ')}`)
    const timeout = hang!.crashes.find((c) => c.kind === 'timeout')
    assert.ok(timeout, 'the hang is a timeout crash')
    assert.equal(timeout.input.subarray(0, 3).toString('latin1'), 'HAN')
    assert.ok(hang!.restarts >= 1, 'the hanging process was replaced')
    const huge = allocation!.crashes.find((c) => c.kind === 'huge-allocation')
    assert.ok(huge, 'the allocation is a crash')
    assert.equal(huge.input.subarray(0, 2).toString('latin1'), 'BI')
    assert.match(huge.message, /allocation of 67108864 bytes/)
  })
})
