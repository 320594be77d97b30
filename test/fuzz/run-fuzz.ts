/**
 * @module run-fuzz
 * `npm run fuzz`: a long coverage-guided run of every fuzz target (or some), from the committed
 * seed corpus plus what earlier runs found, writing new corpus entries and crashes under
 * test-output/fuzz/<target>/ (outside git). Settings from the environment:
 *
 *   FUZZ_SECONDS   seconds per target (default 600)
 *   FUZZ_TARGETS   comma-separated target names (default: all)
 *   FUZZ_PARALLEL  targets at once (default: 2)
 *   FUZZ_SEED      PRNG seed (default: the current time, printed)
 *   FUZZ_OUT       output folder (default test-output/fuzz)
 *
 * Exits 1 when a crash was found. A crash input becomes a regression by copying it into
 * test/fuzz/regressions/<target>/ once it is fixed.
 */
import { join } from 'node:path'
import { CORPUS_ROOT, FUZZ_OUTPUT_ROOT, REGRESSIONS_ROOT } from './corpus-files.js'
import { describeResult, runFuzzCampaign } from './fuzz-campaign.js'
import { FUZZ_TARGETS } from './fuzz-targets.js'

const seconds = Number(process.env.FUZZ_SECONDS ?? 600)
const targets = process.env.FUZZ_TARGETS ? process.env.FUZZ_TARGETS.split(',').map((t) => t.trim()) : FUZZ_TARGETS.map((t) => t.name)
const parallel = Number(process.env.FUZZ_PARALLEL ?? 2)
const seed = process.env.FUZZ_SEED ?? String(Date.now())
const outDir = process.env.FUZZ_OUT ?? FUZZ_OUTPUT_ROOT

console.log(`fuzzing ${targets.join(', ')} for ${seconds} s each, ${parallel} at once, seed ${seed}; findings in ${outDir}`)
const results = await runFuzzCampaign({
  targets,
  secondsPerTarget: seconds,
  parallel,
  seed,
  outDir,
  seedFolders: (t) => [join(CORPUS_ROOT, t), join(REGRESSIONS_ROOT, t), join(outDir, t, 'corpus')],
  log: (line) => console.log(line),
})
for (const r of results) console.log(describeResult(r))
const crashes = results.flatMap((r) => r.crashes)
for (const c of crashes) console.log(`\n${c.target}: ${c.signature} (${c.count}x)\n${c.message}\n${c.stack.split('\n').slice(0, 8).join('\n')}\ninput: ${join(outDir, c.target, 'crashes')}`)
console.log(`${results.reduce((n, r) => n + r.executions, 0)} executions, ${crashes.length} distinct crash(es)`)
process.exit(crashes.length > 0 ? 1 : 0)
