/**
 * @module box-process
 * Runs the real box (the built `dist/supervisor/main.js`) as a child process with its own data
 * and streams folders, for end-to-end tests: start, wait until it answers C-ECHO, kill -9,
 * restart, read its jobs.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Job } from '../../supervisor/jobs/job.js'
import { echoscu } from './dicom-peers.js'
import { freePort } from './ports.js'
import { waitFor } from './wait-for.js'

const MAIN = resolve(import.meta.dirname, '..', '..', 'dist', 'supervisor', 'main.js')

export interface BoxOptions {
  dataDir: string
  streamsDir: string
  settings?: Record<string, unknown>
  routing?: unknown
  env?: NodeJS.ProcessEnv
  /** Wait until the receiver answers C-ECHO. @defaultValue true */
  waitReady?: boolean
}

export class BoxProcess {
  child: ChildProcess | undefined
  readonly port: number
  statusPort = 0
  webPort = 0
  output = ''

  private constructor(
    readonly options: BoxOptions,
    port: number,
  ) {
    this.port = port
  }

  static async start(options: BoxOptions): Promise<BoxProcess> {
    await mkdir(options.dataDir, { recursive: true })
    const port = await freePort()
    const settings = { quietSeconds: 1, statusPort: await freePort(), webPort: await freePort(), ...options.settings }
    await writeFile(join(options.dataDir, 'settings.json'), JSON.stringify(settings, null, 2))
    if (options.routing !== undefined) await writeFile(join(options.dataDir, 'routing.json'), JSON.stringify(options.routing, null, 2))
    const box = new BoxProcess(options, port)
    box.statusPort = settings.statusPort as number
    box.webPort = settings.webPort as number
    await box.launch(options.waitReady ?? true)
    return box
  }

  // Start (or restart) the box process and wait until its receiver answers C-ECHO.
  async launch(waitReady = true): Promise<void> {
    this.child = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        MAGICKBOX_DATA: this.options.dataDir,
        MAGICKBOX_STREAMS: this.options.streamsDir,
        MAGICKBOX_DICOM_PORT: String(this.port),
        MAGICKBOX_LOG_CONSOLE: '1',
        ...this.options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()))
    this.child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()))
    if (!waitReady) {
      await waitFor('the status page', async () => (await fetch(`http://127.0.0.1:${this.statusPort}/status.json`)).ok, 30_000, 250)
      return
    }
    await waitFor(`the box to answer C-ECHO on port ${this.port}`, async () => (await echoscu(this.port, 'MAGICKBOX')).exitCode === 0, 30_000, 250)
  }

  // kill -9 the supervisor and, with it gone, its receiver child (which exits on disconnect).
  async kill9(): Promise<void> {
    const child = this.child
    if (!child || child.exitCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGKILL')
    await exited
    await waitFor('the receiver to let go of its port', async () => (await echoscu(this.port, 'MAGICKBOX')).exitCode !== 0, 15_000)
  }

  // SIGTERM, SIGKILL after 20 s; the exit code (null when killed by a signal).
  async stop(): Promise<number | null> {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    await exited
    clearTimeout(timer)
    return child.exitCode
  }

  async jobs(): Promise<Job[]> {
    const scratch = join(this.options.dataDir, 'scratch')
    const out: Job[] = []
    for (const name of await readdir(scratch).catch(() => [] as string[])) {
      if (!/^\d{8}-\d{6}-[0-9a-f]{6}$/.test(name)) continue
      try {
        out.push(JSON.parse(await readFile(join(scratch, name, 'job.json'), 'utf8')) as Job)
      } catch {
        // being written
      }
    }
    return out.sort((a, b) => a.id.localeCompare(b.id))
  }

  // Wait until `count` jobs exist and all of them are finished (done, failed or cancelled).
  async waitForFinishedJobs(count: number, timeoutMs = 60_000): Promise<Job[]> {
    return waitFor(
      `${count} finished job(s)`,
      async () => {
        const jobs = await this.jobs()
        return jobs.length >= count && jobs.every((j) => ['done', 'failed', 'cancelled'].includes(j.state)) ? jobs : undefined
      },
      timeoutMs,
      250,
    )
  }

  async status(): Promise<import('../../supervisor/status/box-status.js').BoxStatus> {
    const response = await fetch(`http://127.0.0.1:${this.statusPort}/status.json`)
    return (await response.json()) as import('../../supervisor/status/box-status.js').BoxStatus
  }

  async inputFiles(id: string): Promise<string[]> {
    const folder = join(this.jobFolder(id), 'input')
    return (await readdir(folder)).map((name) => join(folder, name))
  }

  jobFolder(id: string): string {
    return join(this.options.dataDir, 'scratch', id)
  }

  async log(part: string): Promise<string> {
    return readFile(join(this.options.dataDir, 'logs', `${part}.log`), 'utf8').catch(() => '')
  }
}
