/**
 * @module bench-fixtures
 * Benchmark studies, made once and kept in the system temp folder between runs: a 512×512
 * 16-bit CT template (≈0.5 MB, with the GE private elements of pydicom's CT_small), studies of
 * 500 and 2,000 instances, and a single ≈1 GB multi-frame instance.
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { CT_TEMPLATE, makeLargeInstance, makeStudy } from '../helpers/study-fixtures.js'

export const BENCH_DIR = process.env.MAGICKBOX_BENCH_DIR ?? join(tmpdir(), 'magickbox-bench')

const MAKE_TEMPLATE = `
import sys, numpy, pydicom
d = pydicom.dcmread(sys.argv[1])
tile = d.pixel_array
d.Rows, d.Columns = 512, 512
d.PixelData = numpy.tile(tile, (4, 4)).astype(tile.dtype).tobytes()
d.save_as(sys.argv[2], write_like_original=False)
`

export async function ctTemplate512(): Promise<string> {
  const path = join(BENCH_DIR, 'ct512.dcm')
  if (!existsSync(path)) {
    await mkdir(BENCH_DIR, { recursive: true })
    await execa('/usr/bin/python3', ['-c', MAKE_TEMPLATE, CT_TEMPLATE, path])
  }
  return path
}

// A study of `count` instances (cached by count).
export async function benchStudy(count: number): Promise<string> {
  const folder = join(BENCH_DIR, `study-${count}`)
  const done = `${folder}.complete`
  if (existsSync(done)) return folder
  await rm(folder, { recursive: true, force: true })
  await makeStudy(await ctTemplate512(), count, folder)
  await execa('touch', [done])
  return folder
}

// The study split into `parts` folders (for parallel associations), made with hard links.
export async function splitStudy(folder: string, parts: number): Promise<string[]> {
  const names = (await readdir(folder)).filter((n) => n.endsWith('.dcm')).sort()
  const out: string[] = []
  for (let p = 0; p < parts; p++) {
    const part = `${folder}-part${p + 1}of${parts}`
    if (!existsSync(`${part}.complete`)) {
      await rm(part, { recursive: true, force: true })
      await mkdir(part, { recursive: true })
      for (let i = p; i < names.length; i += parts) await execa('ln', [join(folder, names[i]!), join(part, names[i]!)])
      await execa('touch', [`${part}.complete`])
    }
    out.push(part)
  }
  return out
}

export async function largeInstance(megabytes: number): Promise<string> {
  const path = join(BENCH_DIR, `large-${megabytes}.dcm`)
  if (!existsSync(path)) {
    await mkdir(BENCH_DIR, { recursive: true })
    await makeLargeInstance(path, megabytes)
  }
  return path
}
