/**
 * What the logs give away, on a real box: no password or token anywhere in them, patient names,
 * IDs and UIDs only on the lines that find a job (and as keyed hashes with logs.maskIdentifiers),
 * and CR/LF in an AE title escaped so a sender cannot forge a log line.
 */
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { execa } from 'execa'
import { BoxProcess } from '../helpers/box-process.js'
import { storescu } from '../helpers/dicom-peers.js'
import { COPY_INPUT, writeProcessStreams } from '../helpers/fixture-streams.js'
import { RawDicomClient } from '../helpers/raw-dicom-client.js'
import { CT_TEMPLATE, makeStudy } from '../helpers/study-fixtures.js'
import { tempFolder } from '../helpers/temp-folder.js'
import { waitFor } from '../helpers/wait-for.js'

const CLI = resolve(import.meta.dirname, '..', '..', 'dist', 'supervisor', 'cli.js')
const PATIENT_NAME = 'PRIVATE^PERSON'
const PATIENT_ID = 'PID-7731-SECRET'

// Every log line the box wrote: its part logs, rotated ones included, and each job's processing log.
async function everyLog(dataDir: string): Promise<string> {
  const logs = join(dataDir, 'logs')
  const texts = await Promise.all((await readdir(logs)).map((name) => readFile(join(logs, name), 'utf8')))
  const scratch = join(dataDir, 'scratch')
  for (const id of await readdir(scratch)) texts.push(await readFile(join(scratch, id, 'processing.log'), 'utf8').catch(() => ''))
  return texts.join('\n')
}

async function sendStudy(box: BoxProcess, folder: string): Promise<{ files: string[]; studyUid: string; sopUids: string[] }> {
  const files = await makeStudy(CT_TEMPLATE, 3, folder, 1, PATIENT_NAME)
  for (const file of files) await execa('dcmodify', ['-nb', '-q', '-i', `(0010,0020)=${PATIENT_ID}`, file])
  const read = async (file: string, tag: string) => (await execa('dcmdump', ['-q', '+P', tag, file])).stdout.match(/\[([^\]]*)\]/)![1]!
  const result = await storescu(box.port, 'COPY', files)
  assert.equal(result.exitCode, 0, result.output)
  return { files, studyUid: await read(files[0]!, '0020,000d'), sopUids: await Promise.all(files.map((f) => read(f, '0008,0018'))) }
}

describe('what the logs give away', () => {
  let temp: Awaited<ReturnType<typeof tempFolder>>
  before(async () => {
    temp = await tempFolder()
    await writeProcessStreams(join(temp.path, 'streams'), [{ aeTitle: 'COPY', script: COPY_INPUT }])
  })
  after(async () => temp.remove())

  it('names the patient and study on the line that creates a job, so an operator can find it', async () => {
    const dataDir = join(temp.path, 'plain')
    const box = await BoxProcess.start({ dataDir, streamsDir: join(temp.path, 'streams') })
    try {
      const { studyUid } = await sendStudy(box, join(temp.path, 'plain-study'))
      const [job] = await box.waitForFinishedJobs(1)
      const created = (await everyLog(dataDir)).split('\n').find((l) => l.includes(`job ${job!.id} created`))
      assert.ok(created, 'a line says the job was created')
      assert.ok(created.includes(`patient "${PATIENT_NAME}" (ID ${PATIENT_ID})`) && created.includes(studyUid), created)
    } finally {
      await box.stop()
    }
  })

  it('writes patient names, IDs and UIDs only as keyed hashes when logs.maskIdentifiers is set', async () => {
    const dataDir = join(temp.path, 'masked')
    const box = await BoxProcess.start({ dataDir, streamsDir: join(temp.path, 'streams'), settings: { logs: { maskIdentifiers: true } } })
    try {
      const { files, studyUid, sopUids } = await sendStudy(box, join(temp.path, 'masked-study'))
      // The same instance again: the receiver logs that it replaced the earlier copy, naming the instance.
      await storescu(box.port, 'COPY', files.slice(0, 1))
      const jobs = await box.waitForFinishedJobs(1)
      const text = await everyLog(dataDir)
      for (const secret of [PATIENT_NAME, PATIENT_ID, studyUid, ...sopUids]) assert.ok(!text.includes(secret), `${secret} is not in any log`)
      const created = text.split('\n').find((l) => l.includes(`job ${jobs[0]!.id} created`))
      assert.match(created ?? '', /of study uid#[0-9a-f]{8}, patient #[0-9a-f]{8}, from/, 'the job line carries tokens instead')
      assert.equal((await readFile(join(dataDir, '.log-mask-key'), 'utf8')).trim().length, 64, 'the key lives in the data folder, not in logs/')
    } finally {
      await box.stop()
    }
  })

  it('never writes a password or an API token to any log', async () => {
    const dataDir = join(temp.path, 'secrets')
    const box = await BoxProcess.start({ dataDir, streamsDir: join(temp.path, 'streams') })
    const web = `http://127.0.0.1:${box.webPort}`
    const oldPassword = 'first secret password 11'
    const newPassword = 'second secret password 22'
    const wrongPassword = 'wrong secret password 33'
    try {
      const env = { ...process.env, MAGICKBOX_DATA: dataDir, MAGICKBOX_PASSWORD: oldPassword }
      await execa(process.execPath, [CLI, 'user', 'set-password', 'carol', '--role', 'admin', '--keep'], { env })
      const token = (await execa(process.execPath, [CLI, 'user', 'token', 'carol', 'log test'], { env })).stdout.trim()
      assert.equal((await fetch(`${web}/api/v1/jobs`, { headers: { authorization: `Bearer ${token}` } })).status, 200)
      assert.equal((await fetch(`${web}/api/v1/jobs`, { headers: { authorization: `Bearer ${token}x` } })).status, 401)
      const form = (fields: Record<string, string>, cookie = '') =>
        ({ method: 'POST', redirect: 'manual', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie } }) as const
      assert.equal((await fetch(`${web}/login`, form({ user: 'carol', password: wrongPassword, next: '/' }))).status, 401)
      assert.equal((await fetch(`${web}/login`, form({ user: wrongPassword, password: oldPassword, next: '/' }))).status, 401)
      const login = await fetch(`${web}/login`, form({ user: 'carol', password: oldPassword, next: '/' }))
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!
      const csrf = /name="csrf-token" content="([^"]+)"/.exec(await (await fetch(`${web}/password`, { headers: { cookie } })).text())![1]!
      const changed = await fetch(`${web}/password`, form({ _csrf: csrf, current: oldPassword, password: newPassword, again: newPassword }, cookie))
      assert.equal(changed.status, 200)
      const text = await everyLog(dataDir)
      assert.match(text, /carol changed their password/, 'the change itself is audited')
      const initial = (await readFile(join(dataDir, 'initial-admin-password'), 'utf8')).trim()
      const session = cookie.split('=')[1]!
      assert.match(text, /failed login for "carol"/, 'a failed login of a real user names the user')
      assert.match(text, /failed login for a user name that does not exist/, 'a password typed into the user field is not kept')
      for (const secret of [oldPassword, newPassword, wrongPassword, token, initial, session, csrf]) assert.ok(!text.includes(secret), `a secret (${secret.slice(0, 4)}…) is not in any log`)
    } finally {
      await box.stop()
    }
  })

  it('escapes CR/LF in a calling AE title, so a sender cannot forge a line in the receiver log', async () => {
    const box = await BoxProcess.start({ dataDir: join(temp.path, 'inject'), streamsDir: join(temp.path, 'streams'), settings: { receiver: { workers: 1 } } })
    try {
      const client = await RawDicomClient.connect(box.port)
      await client.associate('COPY', '1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.1.2.1', 'X\r\nFORGED LINE')
      client.socket.destroy()
      await waitFor('the receiver to log the association', async () => (await box.log('receiver')).includes('X\\r\\nFORGED'), 10_000)
      const lines = (await box.log('receiver')).trimEnd().split('\n')
      for (const line of lines) assert.match(line, /^\d{4}-\d\d-\d\dT[\d:.]+Z (INFO |WARN |ERROR|DEBUG) receiver: /, `one event per line: ${line}`)
    } finally {
      await box.stop()
    }
  })
})
