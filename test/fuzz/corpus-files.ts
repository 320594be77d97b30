/**
 * @module corpus-files
 * Fuzz inputs on disk: the committed seed corpus (test/fuzz/corpus/<target>/), the committed
 * regression inputs of crashes that were fixed (test/fuzz/regressions/<target>/), and what a
 * run finds (new corpus entries and crashes under test-output/fuzz/<target>/, outside git). A
 * file is one input, named by the SHA-1 of its bytes unless it was given a name.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const FUZZ_ROOT = resolve(import.meta.dirname)
export const CORPUS_ROOT = join(FUZZ_ROOT, 'corpus')
export const REGRESSIONS_ROOT = join(FUZZ_ROOT, 'regressions')
export const FUZZ_OUTPUT_ROOT = resolve(FUZZ_ROOT, '..', '..', 'test-output', 'fuzz')

export interface CorpusFile {
  name: string
  input: Buffer
}

/** The inputs in a folder (every file but notes), sorted by name; none when it does not exist. */
export function readCorpus(folder: string): CorpusFile[] {
  if (!existsSync(folder)) return []
  return readdirSync(folder)
    .filter((name) => !name.endsWith('.txt') && !name.endsWith('.md') && !name.startsWith('.'))
    .sort()
    .map((name) => ({ name, input: readFileSync(join(folder, name)) }))
}

export function inputHash(input: Buffer): string {
  return createHash('sha1').update(input).digest('hex')
}

/** Write an input into a folder as <sha1>.bin (or `name`); returns its path. */
export function writeCorpusEntry(folder: string, input: Buffer, name = `${inputHash(input)}.bin`, note?: string): string {
  mkdirSync(folder, { recursive: true })
  const path = join(folder, name)
  writeFileSync(path, input)
  if (note !== undefined) writeFileSync(`${path}.txt`, note)
  return path
}
