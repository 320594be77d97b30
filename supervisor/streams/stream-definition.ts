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
  /** "root" runs the container as root (only when an admin allowed it); otherwise an unprivileged uid. */
  user: 'unprivileged' | 'root'
  /** The container may use the network (default: none). */
  network: boolean
  /** Container limits; undefined = the box's defaults. */
  memoryMB: number | undefined
  cpus: number | undefined
  pids: number | undefined
  /** Who may send to this stream; undefined = the box's default (settings receiver.allowedCallers). */
  allowedCallers: AllowedCallers | undefined
}

/** Calling AE titles and caller IP ranges (CIDR or single addresses); an empty list allows all. */
export interface AllowedCallers {
  aeTitles: string[]
  ips: string[]
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
