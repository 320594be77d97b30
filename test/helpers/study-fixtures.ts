/**
 * @module study-fixtures
 * Test studies made on the fly (nothing large is committed): N-instance studies from a template
 * with ../shared/tools/make-study.sh, and transfer-syntax variants with dcmtk's converters.
 */
import { randomUUID } from 'node:crypto'
import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { execa } from 'execa'

export const PYDICOM_TEST_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files'
/** A GE CT with 179 private elements, ISO_IR 100 and DS values like 5.000000. */
export const CT_TEMPLATE = join(PYDICOM_TEST_FILES, 'CT_small.dcm')
export const MR_TEMPLATE = join(PYDICOM_TEST_FILES, 'MR_small.dcm')

// A 2.25 UID from a random UUID.
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`
}

/**
 * A study of `count` instances in `folder` made from one template: new SOP Instance UIDs (file
 * meta updated), one StudyInstanceUID, `series` series, InstanceNumber and z position per file.
 */
export async function makeStudy(template: string, count: number, folder: string, series = 1, patient = 'SYNTH^STUDY'): Promise<string[]> {
  await mkdir(folder, { recursive: true })
  const study = newUid()
  const seriesUids = Array.from({ length: series }, () => newUid())
  const files: string[] = []
  for (let i = 0; i < count; i++) {
    const s = i % series
    const k = Math.floor(i / series) + 1
    const file = join(folder, `IM${String(i + 1).padStart(6, '0')}.dcm`)
    await copyFile(template, file)
    await execa('dcmodify', [
      '-nb', '-q', '-gin',
      '-i', `(0020,000d)=${study}`, '-i', `(0020,000e)=${seriesUids[s]}`, '-i', `(0020,0011)=${s + 1}`,
      '-i', `(0020,0013)=${k}`, '-i', `(0020,0032)=0\\0\\${k}`, '-i', `(0010,0010)=${patient}`,
      file,
    ])
    files.push(file)
  }
  return files
}

export interface Variant {
  name: string
  /** storescu options that propose this syntax. */
  storescuOptions: string[]
  transferSyntaxUid: string
  path: string
}

/**
 * One file per transfer syntax the box must keep byte-exact: seven made from seven instances of
 * one study (distinct SOP Instance UIDs), plus pydicom's JPEG 2000 lossless MR.
 */
export async function makeTransferSyntaxVariants(folder: string, template = CT_TEMPLATE): Promise<Variant[]> {
  await mkdir(folder, { recursive: true })
  const sources = await makeStudy(template, 7, join(folder, 'sources'))
  const at = (name: string) => join(folder, `${name}.dcm`)
  const run = (tool: string, args: string[]) => execa(tool, args)
  await run('dcmconv', ['+ti', sources[0]!, at('implicit-le')])
  await run('dcmconv', ['+te', sources[1]!, at('explicit-le')])
  await run('dcmconv', ['+tb', sources[2]!, at('explicit-be')])
  await run('dcmconv', ['+td', sources[3]!, at('deflated')])
  await run('dcmcjpeg', [sources[4]!, at('jpeg-lossless')])
  await run('dcmcrle', [sources[5]!, at('rle')])
  await run('dcmcjpls', [sources[6]!, at('jpeg-ls')])
  await copyFile(join(PYDICOM_TEST_FILES, 'MR_small_jp2klossless.dcm'), at('j2k-lossless'))
  return [
    { name: 'Implicit VR Little Endian', storescuOptions: ['-xi'], transferSyntaxUid: '1.2.840.10008.1.2', path: at('implicit-le') },
    { name: 'Explicit VR Little Endian', storescuOptions: ['-xe'], transferSyntaxUid: '1.2.840.10008.1.2.1', path: at('explicit-le') },
    { name: 'Explicit VR Big Endian', storescuOptions: ['-xb'], transferSyntaxUid: '1.2.840.10008.1.2.2', path: at('explicit-be') },
    { name: 'Deflated Explicit VR Little Endian', storescuOptions: ['-xd'], transferSyntaxUid: '1.2.840.10008.1.2.1.99', path: at('deflated') },
    { name: 'JPEG Lossless SV1', storescuOptions: ['-xs'], transferSyntaxUid: '1.2.840.10008.1.2.4.70', path: at('jpeg-lossless') },
    { name: 'RLE Lossless', storescuOptions: ['-xr'], transferSyntaxUid: '1.2.840.10008.1.2.5', path: at('rle') },
    { name: 'JPEG-LS Lossless', storescuOptions: ['-xt'], transferSyntaxUid: '1.2.840.10008.1.2.4.80', path: at('jpeg-ls') },
    { name: 'JPEG 2000 Lossless', storescuOptions: ['-xv'], transferSyntaxUid: '1.2.840.10008.1.2.4.90', path: at('j2k-lossless') },
  ]
}

/** A single multi-frame instance of about `megabytes` MB (CT_small's 128×128 frames, one study). */
export async function makeLargeInstance(path: string, megabytes: number): Promise<void> {
  const script = `
import sys, pydicom
from pydicom.uid import generate_uid
d = pydicom.dcmread(sys.argv[1])
frames = max(1, int(float(sys.argv[3]) * 1024 * 1024 / (d.Rows * d.Columns * 2)))
frame = d.PixelData
d.NumberOfFrames = frames
d.PixelData = frame * frames
d.SOPInstanceUID = generate_uid()
d.StudyInstanceUID = generate_uid()
d.SeriesInstanceUID = generate_uid()
d.file_meta.MediaStorageSOPInstanceUID = d.SOPInstanceUID
d.save_as(sys.argv[2], write_like_original=False)
`
  await execa('/usr/bin/python3', ['-c', script, CT_TEMPLATE, path, String(megabytes)])
}
