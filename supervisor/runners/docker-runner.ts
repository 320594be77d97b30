/**
 * @module docker-runner
 * Runs a stream as a confined container: `/input` read-only, `/output` and `/memory` writable,
 * nothing else of the host mounted (never the Docker socket); an unprivileged uid (root only when
 * an admin allowed the stream), all capabilities dropped, no new privileges, no network unless
 * info.json asks, memory, CPU and process limits. Killed at its time limit, always removed; its
 * output is handed back to the box's own user afterwards.
 */
import { chown, readdir, lstat } from 'node:fs/promises'
import { join } from 'node:path'
import type { DockerEngine } from './docker-client.js'
import { RunnerError, type RunRequest, type RunResult } from './run-request.js'

export const JOB_LABEL = 'magickbox.job'

const isRoot = () => process.getuid?.() === 0

// The uid:gid a stream runs as: root when allowed, else the configured unprivileged user
// (or, when the box itself is not root, the box's own user, which is unprivileged).
export function containerUser(request: RunRequest): { uid: number; gid: number } {
  const { stream, containers } = request
  if (stream.user === 'root') {
    if (!containers.allowRoot.includes(stream.aeTitle)) {
      throw new RunnerError(`stream ${stream.aeTitle} asks to run as root ("user": "root" in info.json); an admin must allow it (setting containers.allowRoot)`)
    }
    return { uid: 0, gid: 0 }
  }
  if (isRoot()) return { uid: containers.uid, gid: containers.gid }
  return { uid: process.getuid?.() ?? containers.uid, gid: process.getgid?.() ?? containers.gid }
}

// Give a folder tree to a uid:gid (only possible, and only needed, when the box runs as root).
async function chownTree(folder: string, uid: number, gid: number): Promise<void> {
  if (!isRoot()) return
  await chown(folder, uid, gid)
  for (const entry of await readdir(folder).catch(() => [] as string[])) {
    const path = join(folder, entry)
    const info = await lstat(path)
    if (info.isDirectory()) await chownTree(path, uid, gid)
    else if (!info.isSymbolicLink()) await chown(path, uid, gid)
  }
}

export async function runInDocker(engine: DockerEngine, request: RunRequest): Promise<RunResult> {
  const { stream, containers } = request
  const user = containerUser(request)
  await engine.removeByLabel(JOB_LABEL, request.jobId)
  await chownTree(request.outputDir, user.uid, user.gid)
  await chownTree(request.memoryDir, user.uid, user.gid)
  try {
    return await engine.run(
    {
      name: `magickbox-${request.jobId}`,
      image: stream.imageTag,
      command: stream.command,
      binds: [`${request.inputDir}:/input:ro`, `${request.outputDir}:/output`, `${request.memoryDir}:/memory`],
      env: ['MAGICKBOX_INPUT=/input', 'MAGICKBOX_OUTPUT=/output', 'MAGICKBOX_MEMORY=/memory', `MAGICKBOX_JOB=${request.jobId}`],
      labels: { [JOB_LABEL]: request.jobId, 'magickbox.stream': stream.aeTitle },
      user: `${user.uid}:${user.gid}`,
      network: stream.network,
      memoryBytes: (stream.memoryMB ?? containers.memoryMB) * 1024 * 1024,
      cpus: stream.cpus ?? containers.cpus,
      pids: stream.pids ?? containers.pids,
    },
    request.log,
    stream.timeoutMinutes * 60_000,
    request.signal,
  )
  } finally {
    // The output belongs to the box again (the stream's uid only owned it while it ran).
    await chownTree(request.outputDir, process.getuid?.() ?? 0, process.getgid?.() ?? 0).catch(() => undefined)
  }
}
