/**
 * @module docker-client
 * The only importer of dockerode: the few Docker engine operations the box uses.
 */
import { once } from 'node:events'
import { readdir } from 'node:fs/promises'
import { setTimeout as delay } from 'node:timers/promises'
import { join, relative } from 'node:path'
import type { Writable } from 'node:stream'
import Docker from 'dockerode'

export class DockerUnavailableError extends Error {
  override name = 'DockerUnavailableError'
}

export interface ContainerSpec {
  image: string
  command: string[]
  binds: string[]
  env: string[]
  labels: Record<string, string>
  name: string
  /** "uid:gid", or "0:0" for root. */
  user: string
  network: boolean
  memoryBytes: number
  cpus: number
  pids: number
}

export interface ContainerExit {
  exitCode: number | null
  timedOut: boolean
}

async function listFiles(folder: string, base = folder): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name)
    if (entry.isDirectory()) out.push(...(await listFiles(path, base)))
    else out.push(relative(base, path))
  }
  return out
}

export class DockerEngine {
  private readonly docker: Docker

  constructor(options: { socketPath?: string } = {}) {
    this.docker = new Docker({ socketPath: options.socketPath ?? process.env.DOCKER_SOCKET ?? '/var/run/docker.sock' })
  }

  // Throws DockerUnavailableError when no engine answers.
  async ping(): Promise<void> {
    try {
      await this.docker.ping()
    } catch (error) {
      throw new DockerUnavailableError(`the Docker engine does not answer: ${(error as Error).message}`, { cause: error })
    }
  }

  async imageExists(tag: string): Promise<boolean> {
    try {
      await this.docker.getImage(tag).inspect()
      return true
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return false
      throw error
    }
  }

  // Build `tag` from a folder with a Dockerfile; each line of build output goes to `onLine`.
  async build(folder: string, tag: string, onLine: (line: string) => void): Promise<void> {
    const stream = await this.docker.buildImage({ context: folder, src: await listFiles(folder) }, { t: tag, rm: true, forcerm: true })
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(
        stream,
        (error: Error | null, output: { error?: string; errorDetail?: { message?: string } }[]) => {
          const failure = error?.message ?? output?.find((o) => o.error)?.error
          if (failure) reject(new Error(failure))
          else resolve()
        },
        (event: { stream?: string; status?: string; error?: string }) => {
          const text = event.stream ?? event.status ?? event.error
          if (text) for (const line of text.split('\n')) if (line.trim()) onLine(line.trimEnd())
        },
      )
    })
  }

  // Remove containers left by an earlier run of the same job (after a crash).
  async removeByLabel(label: string, value: string): Promise<number> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [`${label}=${value}`] } })
    for (const info of list) await this.docker.getContainer(info.Id).remove({ force: true }).catch(() => undefined)
    return list.length
  }

  // Ids of containers carrying `label` that are not running (exited, created, dead).
  async exitedContainers(label: string): Promise<string[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [label], status: ['exited', 'created', 'dead'] } })
    return list.map((c) => c.Id)
  }

  async removeContainer(id: string): Promise<void> {
    await this.docker.getContainer(id).remove({ force: true })
  }

  // Run a container to its end (or kill it at the timeout), streaming its output; always removed.
  async run(spec: ContainerSpec, output: Writable, timeoutMs: number, signal?: AbortSignal): Promise<ContainerExit> {
    const container = await this.docker.createContainer({
      name: spec.name,
      Image: spec.image,
      Cmd: spec.command,
      Env: spec.env,
      Labels: spec.labels,
      Tty: false,
      User: spec.user,
      NetworkDisabled: !spec.network,
      HostConfig: {
        Binds: spec.binds,
        AutoRemove: false,
        CapDrop: ['ALL'],
        SecurityOpt: ['no-new-privileges'],
        NetworkMode: spec.network ? 'bridge' : 'none',
        Memory: spec.memoryBytes,
        MemorySwap: spec.memoryBytes,
        NanoCpus: Math.round(spec.cpus * 1e9),
        PidsLimit: spec.pids,
        Privileged: false,
        ReadonlyRootfs: false,
      },
    })
    try {
      const attached = await container.attach({ stream: true, stdout: true, stderr: true })
      this.docker.modem.demuxStream(attached, output, output)
      await container.start()
      let timedOut = false
      const kill = () => void container.kill().catch(() => undefined)
      const timer = setTimeout(() => {
        timedOut = true
        kill()
      }, timeoutMs)
      signal?.addEventListener('abort', kill, { once: true })
      try {
        const result = (await container.wait()) as { StatusCode: number }
        // Let the last lines of output arrive before the stream is closed.
        await Promise.race([once(attached, 'end').catch(() => undefined), delay(2000)])
        return { exitCode: timedOut ? null : result.StatusCode, timedOut }
      } finally {
        clearTimeout(timer)
        signal?.removeEventListener('abort', kill)
        ;(attached as unknown as { destroy?: () => void }).destroy?.()
      }
    } finally {
      await container.remove({ force: true }).catch(() => undefined)
    }
  }
}
