/**
 * @module format
 * Small formatting helpers for the pages.
 */

export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–'
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`
  const m = Math.floor(seconds / 60)
  if (m < 60) return `${m} min ${Math.round(seconds % 60)} s`
  const h = Math.floor(m / 60)
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} days`
}

export function between(from: string | undefined, to: string | undefined): number | null {
  if (!from || !to) return null
  return (Date.parse(to) - Date.parse(from)) / 1000
}

// 2026-11-28 05:12:03 (UTC), compact and sortable.
export function when(iso: string | undefined): string {
  if (!iso) return '–'
  return iso.replace('T', ' ').replace(/\.\d+Z$/, '').replace(/Z$/, '')
}

export function bytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–'
  if (n < 1024) return `${n} B`
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`
  return `${(n / 1024 ** 3).toFixed(2)} GB`
}

// DICOM person name for reading: DOE^JOHN → DOE, JOHN.
export function personName(pn: string): string {
  const [family, given] = pn.split('=')[0]!.split('^')
  return [family, given].filter(Boolean).join(', ')
}
