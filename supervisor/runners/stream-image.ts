/**
 * @module stream-image
 * Makes sure a docker stream's image exists: an `image` named in info.json must already be on the
 * machine; without one, the image is built from the stream folder's Dockerfile (once per tag,
 * however many jobs ask at the same time).
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { StreamDefinition } from '../streams/stream-definition.js'
import type { DockerEngine } from './docker-client.js'
import { RunnerError } from './run-request.js'

const builds = new Map<string, Promise<void>>()

export async function ensureStreamImage(engine: DockerEngine, stream: StreamDefinition, onLine: (line: string) => void): Promise<void> {
  if (await engine.imageExists(stream.imageTag)) return
  if (stream.image) {
    throw new RunnerError(`image ${stream.image} (info.json "image") is not on this machine; load it with docker load or build it, then re-run the job`)
  }
  if (!existsSync(join(stream.folder, 'Dockerfile'))) {
    throw new RunnerError(`image ${stream.imageTag} is missing and ${stream.folder} has no Dockerfile to build it from`)
  }
  let build = builds.get(stream.imageTag)
  if (!build) {
    onLine(`building image ${stream.imageTag} from ${stream.folder}/Dockerfile`)
    build = engine.build(stream.folder, stream.imageTag, onLine).finally(() => builds.delete(stream.imageTag))
    builds.set(stream.imageTag, build)
  } else onLine(`waiting for the build of image ${stream.imageTag} already under way`)
  try {
    await build
  } catch (error) {
    throw new RunnerError(`building image ${stream.imageTag} failed: ${(error as Error).message}`, { cause: error })
  }
}
