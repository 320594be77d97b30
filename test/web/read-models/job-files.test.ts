/**
 * JobFiles: what the web interface reads of a job folder. A running stream owns output/ and may
 * swap a listed file, or a folder on its path, for a symlink between the listing and the read;
 * the web interface must then refuse the file, never read the host file behind it.
 */
import assert from 'node:assert/strict'
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { JobFiles, UnsafeJobFileError } from '../../../web/read-models/job-files.js'
import { tempFolder } from '../../helpers/temp-folder.js'

const JOB = '20261128-101500-0a1b2c'

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

describe('JobFiles', () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  let files: JobFiles
  let output: string
  let secret: string

  before(async () => {
    temp = await tempFolder()
    const scratch = join(temp.path, 'scratch')
    output = join(scratch, JOB, 'output')
    await mkdir(join(output, 'sub'), { recursive: true })
    await writeFile(join(output, 'a.dcm'), 'result a')
    await writeFile(join(output, 'sub', 'b.dcm'), 'result b')
    // A file of the host the stream must never get out through a download.
    await mkdir(join(temp.path, 'host', 'sub'), { recursive: true })
    secret = join(temp.path, 'host', 'users.json')
    await writeFile(secret, 'host secret')
    await writeFile(join(temp.path, 'host', 'sub', 'b.dcm'), 'host secret')
    files = new JobFiles(scratch)
  })
  after(() => temp.remove())

  it('lists the regular files below output/ and reads them', async () => {
    const listed = await files.files(JOB, 'output')
    assert.deepEqual(listed.map((f) => [f.name, f.size]), [['a.dcm', 8], ['sub/b.dcm', 8]])
    assert.equal(await text(await listed[0]!.open()), 'result a')
  })

  it('refuses a listed file that became a symlink to a host file before it was read', async () => {
    const [a] = await files.files(JOB, 'output')
    await rm(join(output, 'a.dcm'))
    await symlink(secret, join(output, 'a.dcm'))
    await assert.rejects(a!.open(), (error: unknown) => error instanceof UnsafeJobFileError && /a\.dcm: is a symbolic link/.test(error.message))
    await rm(join(output, 'a.dcm'))
    await writeFile(join(output, 'a.dcm'), 'result a')
  })

  it('refuses a listed file whose folder became a symlink to a host folder before it was read', async () => {
    const listed = await files.files(JOB, 'output')
    const b = listed.find((f) => f.name === 'sub/b.dcm')!
    await rename(join(output, 'sub'), join(output, 'sub-moved'))
    await symlink(join(temp.path, 'host', 'sub'), join(output, 'sub'))
    await assert.rejects(b.open(), (error: unknown) => error instanceof UnsafeJobFileError && /sub\/b\.dcm: lies outside the job folder/.test(error.message))
  })

  it('lists nothing for a name that is not a job id', async () => {
    assert.deepEqual(await files.files('../host', 'output'), [])
  })
})
