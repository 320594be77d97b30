/**
 * The box's byte parsers (PDU framing, association negotiation, DIMSE command sets, the Part-10
 * meta header, the data set walk and the header values read for grouping, the receiver's
 * association state machine) under coverage-guided fuzzing: the committed seeds and every fixed
 * crash replay cleanly, and about a minute of fuzzing from the seeds finds no crash. The contract
 * each target checks is in fuzz-target.ts. Longer runs: `npm run fuzz` (FUZZ_SECONDS per target).
 * Here FUZZ_TEST_SECONDS (default 60) is the whole budget and FUZZ_SEED the PRNG seed.
 */
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { BufferSource } from '../../supervisor/dicom/byte-source.js'
import { readInstance } from '../../supervisor/dicom/part10-file.js'
import { decodeRequest } from '../../supervisor/dicom/pdu/dimse-command.js'
import { decodeAssociateRQ } from '../../supervisor/dicom/pdu/pdu-codec.js'
import { CORPUS_ROOT, FUZZ_OUTPUT_ROOT, readCorpus, REGRESSIONS_ROOT } from './corpus-files.js'
import { describeResult, runFuzzCampaign } from './fuzz-campaign.js'
import { isExpectedError } from './fuzz-target.js'
import { FUZZ_TARGETS } from './fuzz-targets.js'

const BUDGET_SECONDS = Number(process.env.FUZZ_TEST_SECONDS ?? 60)
const PARALLEL = 2
const SEED = process.env.FUZZ_SEED ?? 'npm-test'

describe('the DICOM parsers under coverage-guided fuzzing', () => {
  it('has a small seed corpus of real DICOM for every target', () => {
    let total = 0
    for (const target of FUZZ_TARGETS) {
      const seeds = readCorpus(join(CORPUS_ROOT, target.name))
      assert.ok(seeds.length >= 3, `${target.name} has ${seeds.length} seeds`)
      for (const s of seeds) assert.ok(s.input.length <= 4096, `${target.name}/${s.name} is ${s.input.length} bytes`)
      total += seeds.reduce((n, s) => n + s.input.length, 0)
    }
    assert.ok(total < 100 * 1024, `the seed corpus holds ${total} bytes`)
    // The seeds are the real thing: dcmtk's association requests and command sets decode, its files validate.
    for (const s of readCorpus(join(CORPUS_ROOT, 'associate-rq'))) assert.ok(decodeAssociateRQ(s.input.subarray(6)).contexts.length > 0, s.name)
    for (const s of readCorpus(join(CORPUS_ROOT, 'dimse-command')).filter((s) => s.name.includes('-rq'))) decodeRequest(s.input)
    for (const s of readCorpus(join(CORPUS_ROOT, 'dataset-header')).filter((s) => s.name.endsWith('.dcm'))) readInstance(new BufferSource(s.input), { validate: true })
  })

  it('replays every seed and every input of a fixed crash without a crash', async () => {
    let replayed = 0
    for (const target of FUZZ_TARGETS) {
      for (const { name, input } of [...readCorpus(join(CORPUS_ROOT, target.name)), ...readCorpus(join(REGRESSIONS_ROOT, target.name))]) {
        try {
          await target.run(input)
        } catch (error) {
          if (!isExpectedError(error)) assert.fail(`${target.name}/${name}: ${(error as Error).stack}`)
        }
        replayed++
      }
    }
    assert.ok(replayed > 30)
  })

  it(`finds no crash in about ${BUDGET_SECONDS} s of coverage-guided fuzzing from the seed corpus`, async (t) => {
    const outDir = join(FUZZ_OUTPUT_ROOT, 'npm-test')
    rmSync(outDir, { recursive: true, force: true })
    const lanes = Math.ceil(FUZZ_TARGETS.length / PARALLEL)
    const results = await runFuzzCampaign({
      targets: FUZZ_TARGETS.map((f) => f.name),
      secondsPerTarget: BUDGET_SECONDS / lanes,
      parallel: PARALLEL,
      seed: SEED,
      outDir,
    })
    const lines = results.map(describeResult)
    const executions = results.reduce((n, r) => n + r.executions, 0)
    const crashes = results.flatMap((r) => r.crashes)
    lines.push(`${executions} executions, ${results.reduce((n, r) => n + r.corpus, 0)} corpus entries, ${results.reduce((n, r) => n + r.coverageBlocks, 0)} blocks covered, ${crashes.length} crash(es) (seed ${SEED})`)
    for (const line of lines) t.diagnostic(line)
    console.log(`fuzzing (coverage-guided, from the seed corpus):\n  ${lines.join('\n  ')}`)
    for (const c of crashes) t.diagnostic(`${c.target}: ${c.signature}\n${c.message}\n${c.stack.split('\n').slice(0, 6).join('\n')}\ninput (${c.input.length} bytes): ${c.input.toString('hex').slice(0, 400)}`)
    assert.deepEqual(
      crashes.map((c) => `${c.target}: ${c.signature}`),
      [],
      `crash inputs are in ${outDir}/<target>/crashes`,
    )
    for (const r of results) {
      assert.ok(r.executions > 1000, `${r.target}: ${r.executions} executions`)
      assert.ok(r.coverageBlocks > r.seedCoverageBlocks, `${r.target}: coverage grew from ${r.seedCoverageBlocks} blocks`)
      assert.ok(r.corpus > r.seeds, `${r.target}: the corpus grew`)
    }
  })
})
