/**
 * @module stream-definition
 * A processing stream: a folder under `$MAGICKBOX_STREAMS` with an `info.json` in the original
 * MagickBox format plus the fields this box adds. The contract for authors is streams/README.md.
 */

export type StreamRunner = 'docker' | 'process'

export interface StreamDefinition {
  /** The folder holding info.json (absolute). */
  folder: string
  name: string
  description: string
  version: string
  /** The called AE title that selects this stream (trimmed, case-sensitive). */
  aeTitle: string
  license: string
  enabled: boolean
  runner: StreamRunner
  /** Docker image; when absent it is built from the folder's Dockerfile as `imageTag`. */
  image: string | undefined
  /** The image the job runs: `image`, or `magickbox/<aetitle lower case>:<version>`. */
  imageTag: string
  command: string[]
  quietSeconds: number | undefined
  timeoutMinutes: number
  concurrency: number
}

/** What the box knows about one stream folder: a definition, or why there is none usable. */
export interface StreamEntry {
  folder: string
  definition: StreamDefinition | undefined
  /** Why this stream takes no studies (bad info.json, disabled, AE title clash); undefined when usable. */
  problem: string | undefined
}

export const DEFAULT_DOCKER_COMMAND = ['/root/work.sh', '/input', '/output']
export const DEFAULT_TIMEOUT_MINUTES = 60
export const DEFAULT_CONCURRENCY = 1
