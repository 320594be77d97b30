/**
 * @module data-paths
 * Every file and folder name under `$MAGICKBOX_DATA`, in one place.
 *
 * ```
 * settings.json  routing.json  index.sqlite  logs/<part>.log  memory/<stream>/  .pids/<part>.pid
 * scratch/incoming/.tmp/                 instances being received, groups being created
 * scratch/incoming/<group>/group.json    a study being collected (quiet period running)
 * scratch/incoming/<group>/<sop>.dcm
 * scratch/.new-<jobId>/                  a job being created from a group (finished on restart)
 * scratch/<jobId>/job.json input/ output/ processing.log deliveries/
 * ```
 */
import { join } from 'node:path'

export interface DataPaths {
  root: string
  settings: string
  routing: string
  index: string
  logs: string
  pids: string
  memory: string
  scratch: string
  incoming: string
  incomingTemp: string
}

export function dataPaths(root: string): DataPaths {
  const scratch = join(root, 'scratch')
  const incoming = join(scratch, 'incoming')
  return {
    root,
    settings: join(root, 'settings.json'),
    routing: join(root, 'routing.json'),
    index: join(root, 'index.sqlite'),
    logs: join(root, 'logs'),
    pids: join(root, '.pids'),
    memory: join(root, 'memory'),
    scratch,
    incoming,
    incomingTemp: join(incoming, '.tmp'),
  }
}

/** Prefix of a job folder that is still being assembled. */
export const NEW_JOB_PREFIX = '.new-'

/** The secret the web interface and the CLI send with commands to the supervisor (mode 0600). */
export const CONTROL_TOKEN_FILE = '.control-token'
export const JOB_FILE = 'job.json'
export const GROUP_FILE = 'group.json'
export const PROCESSING_LOG = 'processing.log'
export const PROC_JSON = 'proc.json'
export const INPUT_DIR = 'input'
export const OUTPUT_DIR = 'output'
export const DELIVERIES_DIR = 'deliveries'

// A name that is safe as one path segment for any AE title (letters, digits, `-_.` kept, the rest %XX).
export function safeSegment(value: string): string {
  const encoded = Array.from(Buffer.from(value.trim(), 'utf8'))
    .map((byte) => {
      const ch = String.fromCharCode(byte)
      return /[A-Za-z0-9_-]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
    })
    .join('')
  return encoded.length > 0 ? encoded : '%20'
}

export function jobDir(paths: DataPaths, jobId: string): string {
  return join(paths.scratch, jobId)
}

export function streamMemoryDir(paths: DataPaths, aeTitle: string): string {
  return join(paths.memory, safeSegment(aeTitle))
}
