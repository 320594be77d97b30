/**
 * @module fixture-streams
 * Small stream folders written by tests, one behaviour each: copy input to output, exit 1, hang,
 * write a given proc.json.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface FixtureStream {
  aeTitle: string
  /** Shell script body run as `script INPUT OUTPUT`. */
  script: string
  info?: Record<string, unknown>
}

export const COPY_INPUT = 'cp -R "$1"/. "$2"/\necho "copied $(ls "$1" | wc -l) file(s)"'

// Write process-runner streams into `streamsDir`.
export async function writeProcessStreams(streamsDir: string, streams: FixtureStream[]): Promise<void> {
  for (const s of streams) {
    const folder = join(streamsDir, s.aeTitle)
    await mkdir(folder, { recursive: true })
    await writeFile(join(folder, 'run.sh'), `#!/bin/sh\nset -eu\n${s.script}\n`)
    await chmod(join(folder, 'run.sh'), 0o755)
    await writeFile(join(folder, 'info.json'), JSON.stringify({ name: s.aeTitle, version: '1.0.0', AETitle: s.aeTitle, runner: 'process', command: ['./run.sh'], quietSeconds: 1, ...s.info }, null, 2))
  }
}
