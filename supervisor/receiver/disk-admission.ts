/**
 * @module disk-admission
 * Whether the data disk may take more data: free space must stay above a reserve (the larger of
 * a fixed size and a share of the disk). Read with statfs at most every `maxAgeMs`, so it can be
 * asked per association and per written megabyte. Receiving stops before the disk is full and
 * resumes by itself when space is back.
 */
import { statfsSync } from 'node:fs'

export interface AdmissionState {
  open: boolean
  freeBytes: number
  reserveBytes: number
}

export class DiskAdmission {
  private last: AdmissionState | undefined
  private readAt = 0

  constructor(
    private readonly path: string,
    private readonly reserve: { reserveBytes: number; reservePercent: number },
    private readonly onChange: (state: AdmissionState) => void = () => undefined,
    private readonly maxAgeMs = 1000,
  ) {}

  state(): AdmissionState {
    const now = Date.now()
    if (this.last && now - this.readAt < this.maxAgeMs) return this.last
    this.readAt = now
    let next: AdmissionState
    try {
      const s = statfsSync(this.path)
      const freeBytes = s.bavail * s.bsize
      const reserveBytes = Math.max(this.reserve.reserveBytes, (s.blocks * s.bsize * this.reserve.reservePercent) / 100)
      next = { open: freeBytes > reserveBytes, freeBytes, reserveBytes }
    } catch {
      next = { open: true, freeBytes: Number.NaN, reserveBytes: this.reserve.reserveBytes }
    }
    const changed = this.last?.open !== next.open
    this.last = next
    if (changed) this.onChange(next)
    return next
  }

  // Forget the cached reading (after a write error, for instance).
  refresh(): AdmissionState {
    this.readAt = 0
    return this.state()
  }
}

export function describeAdmission(state: AdmissionState): string {
  const mb = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MB`
  return `${mb(state.freeBytes)} free on the data disk, reserve ${mb(state.reserveBytes)}`
}
