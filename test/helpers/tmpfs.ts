/**
 * @module tmpfs
 * A small file system of its own for disk-full tests (root only: tests run as root on the CI
 * machine; npm test says so when they cannot).
 */
import { mkdir } from 'node:fs/promises'
import { execa } from 'execa'

export async function mountTmpfs(path: string, megabytes: number): Promise<() => Promise<void>> {
  await mkdir(path, { recursive: true })
  const result = await execa('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', path], { reject: false })
  if (result.exitCode !== 0) throw new Error(`cannot mount a ${megabytes} MB tmpfs at ${path} (needs root): ${result.stderr}`)
  return async () => {
    await execa('umount', ['-l', path], { reject: false })
  }
}
