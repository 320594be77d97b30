/**
 * @module routed-files
 * The DICOM files of a job folder that a delivery sends: every Part-10 file below it (any depth),
 * with what the sender needs from its envelope. Other files are counted as skipped.
 */
import { readdir } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { FileSource } from '../dicom/byte-source.js'
import { readEnvelope, type Part10Envelope } from '../dicom/part10-file.js'

export interface RoutedFile extends Part10Envelope {
  path: string
  /** Path below the routed folder: the ledger's key. */
  name: string
}

export interface RoutedFolder {
  files: RoutedFile[]
  skipped: { name: string; why: string }[]
}

async function walk(folder: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
    const path = join(folder, entry.name)
    if (entry.isDirectory()) out.push(...(await walk(path)))
    else if (entry.isFile()) out.push(path)
  }
  return out
}

export async function listRoutedFiles(folder: string): Promise<RoutedFolder> {
  const files: RoutedFile[] = []
  const skipped: { name: string; why: string }[] = []
  for (const path of (await walk(folder)).sort()) {
    const name = relative(folder, path)
    if (name === 'proc.json') continue
    let source: FileSource | undefined
    try {
      source = new FileSource(path)
      files.push({ ...readEnvelope(source), path, name })
    } catch (error) {
      skipped.push({ name, why: (error as Error).message })
    } finally {
      source?.close()
    }
  }
  return { files, skipped }
}
