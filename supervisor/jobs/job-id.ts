/**
 * @module job-id
 * Job ids sort by creation time and are safe folder names: `20261128-045107-3f9a1c`.
 */
import { randomBytes } from 'node:crypto'

export function newJobId(at = new Date()): string {
  const iso = at.toISOString()
  return `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}-${randomBytes(3).toString('hex')}`
}

export function isJobId(name: string): boolean {
  return /^\d{8}-\d{6}-[0-9a-f]{6}$/.test(name)
}
