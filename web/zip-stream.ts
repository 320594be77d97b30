/**
 * @module zip-stream
 * The only importer of yazl: a zip of files streamed as it is made (stored, not compressed:
 * DICOM pixel data hardly compresses, and nothing is held in memory), ZIP64 for large studies.
 */
import type { Readable } from 'node:stream'
import yazl from 'yazl'

// Each file is opened only when its turn comes (a study of thousands of files holds one open at
// a time), through its own `open`; a file that cannot be opened ends the zip with an error.
export function zipFiles(files: { name: string; size?: number; open(): Promise<Readable> }[], folderName: string): Readable {
  const zip = new yazl.ZipFile()
  for (const file of files) {
    zip.addReadStreamLazy(`${folderName}/${file.name}`, { compress: false, size: file.size }, (done) => {
      file.open().then((stream) => done(null, stream), (error: Error) => done(error, undefined as never))
    })
  }
  zip.end()
  const output = zip.outputStream as unknown as Readable
  zip.on('error', (error: Error) => output.destroy(error))
  return output
}
