/**
 * @module zip-stream
 * The only importer of yazl: a zip of files streamed as it is made (stored, not compressed:
 * DICOM pixel data hardly compresses, and nothing is held in memory), ZIP64 for large studies.
 */
import type { Readable } from 'node:stream'
import yazl from 'yazl'

export function zipFiles(files: { path: string; name: string }[], folderName: string): Readable {
  const zip = new yazl.ZipFile()
  for (const file of files) zip.addFile(file.path, `${folderName}/${file.name}`, { compress: false })
  zip.end()
  return zip.outputStream as unknown as Readable
}
