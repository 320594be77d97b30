/**
 * @module dicom-peers
 * Real DICOM peers for the tests: dcmtk's storescu, echoscu and storescp (started with
 * TCP_NODELAY=1, bit-preserving, accepting every transfer syntax dcmtk knows).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { execa } from 'execa'
import { freePort } from './ports.js'
import { waitFor } from './wait-for.js'

export interface ToolResult {
  exitCode: number
  output: string
}

export async function storescu(port: number, calledAE: string, files: string[], options: string[] = [], callingAE = 'STORESCU'): Promise<ToolResult> {
  const r = await execa('storescu', ['-aet', callingAE, '-aec', calledAE, ...options, '127.0.0.1', String(port), ...files], { reject: false, all: true, timeout: 120_000 })
  return { exitCode: r.exitCode ?? -1, output: r.all ?? '' }
}

export async function echoscu(port: number, calledAE: string, options: string[] = []): Promise<ToolResult> {
  const r = await execa('echoscu', ['-aec', calledAE, '-to', '5', ...options, '127.0.0.1', String(port)], { reject: false, all: true, timeout: 20_000 })
  return { exitCode: r.exitCode ?? -1, output: r.all ?? '' }
}

export class Storescp {
  private constructor(
    readonly port: number,
    readonly folder: string,
    private readonly child: ChildProcess,
  ) {}

  // Start storescp on a free port, storing bit-preserving into `folder` (every syntax unless `acceptAll` is false).
  // `echo` holds echoscu's options for the readiness check (e.g. TLS ones when `extra` has +tls).
  static async start(folder: string, extra: string[] = [], { acceptAll = true, nagle = false, echo = [] as string[] } = {}): Promise<Storescp> {
    await mkdir(folder, { recursive: true })
    const port = await freePort()
    const child = spawn('storescp', ['-B', ...(acceptAll ? ['+xa'] : []), '-od', folder, ...extra, String(port)], {
      // Without TCP_NODELAY=1 Debian's storescp takes ~45 ms per image: a realistic slow PACS.
      env: nagle ? { ...process.env, TCP_NODELAY: '0' } : { ...process.env, TCP_NODELAY: '1' },
      stdio: 'ignore',
    })
    const peer = new Storescp(port, folder, child)
    await waitFor(`storescp on port ${port}`, async () => (await echoscu(port, 'ANY-SCP', echo)).exitCode === 0, 15_000)
    return peer
  }

  async files(): Promise<string[]> {
    return (await readdir(this.folder)).filter((n) => !n.startsWith('.')).map((n) => join(this.folder, n))
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return
    const exited = new Promise((resolve) => this.child.once('exit', resolve))
    this.child.kill('SIGTERM')
    await exited
  }
}
