/**
 * @module system-probe
 * The only importer of systeminformation: memory and CPU load of the machine, plus disk usage
 * of the file system holding a given path (statfs, exact for that path).
 */
import { statfs } from 'node:fs/promises'
import si from 'systeminformation'

export interface DiskUsage {
  path: string
  sizeBytes: number
  freeBytes: number
  usedPercent: number
}

export async function diskUsage(path: string): Promise<DiskUsage> {
  const s = await statfs(path)
  const size = s.blocks * s.bsize
  const free = s.bavail * s.bsize
  const used = size - s.bfree * s.bsize
  // Like df: used against what non-root users can have.
  const usedPercent = size > 0 ? (used / (used + free)) * 100 : 0
  return { path, sizeBytes: size, freeBytes: free, usedPercent }
}

export async function memoryUsedPercent(): Promise<number> {
  const mem = await si.mem()
  return mem.total > 0 ? ((mem.total - mem.available) / mem.total) * 100 : 0
}

export async function cpuLoadPercent(): Promise<number> {
  const load = await si.currentLoad()
  return load.currentLoad
}
