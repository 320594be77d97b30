/**
 * @module heatmap
 * The calendar heat-map of jobs per day over the last 26 weeks (the original had one): an SVG
 * of day cells, each a link that filters the job list to that day.
 */
import { html } from 'hono/html'
import type { Html } from './layout.js'

const CELL = 13
const GAP = 3

export function heatmapStart(today = new Date()): Date {
  const end = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()))
  const start = new Date(end.getTime() - (25 * 7 + end.getUTCDay()) * 86_400_000)
  return start
}

export function heatmap(perDay: Map<string, number>, selected: string | undefined, today = new Date()): Html {
  const start = heatmapStart(today)
  const end = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()))
  const max = Math.max(1, ...perDay.values())
  const cells: Html[] = []
  const months: Html[] = []
  let lastMonth = -1
  for (let t = start.getTime(), i = 0; t <= end.getTime(); t += 86_400_000, i++) {
    const day = new Date(t)
    const key = day.toISOString().slice(0, 10)
    const n = perDay.get(key) ?? 0
    const level = n === 0 ? 0 : Math.min(4, 1 + Math.floor((n / max) * 3.999))
    const x = Math.floor(i / 7) * (CELL + GAP) + 30
    const y = day.getUTCDay() * (CELL + GAP) + 16
    if (day.getUTCDate() <= 7 && day.getUTCMonth() !== lastMonth && day.getUTCDay() === 0) {
      lastMonth = day.getUTCMonth()
      months.push(html`<text x="${x}" y="10" class="hm-label">${day.toLocaleString('en', { month: 'short', timeZone: 'UTC' })}</text>`)
    }
    cells.push(
      html`<a href="/?day=${key}"><rect x="${x}" y="${y}" width="${CELL}" height="${CELL}" rx="2" class="hm l${level}${key === selected ? ' selected' : ''}"><title>${key}: ${n} job${n === 1 ? '' : 's'}</title></rect></a>`,
    )
  }
  const width = 30 + 27 * (CELL + GAP)
  return html`<svg class="heatmap" viewBox="0 0 ${width} ${16 + 7 * (CELL + GAP)}" role="img" aria-label="jobs per day over the last 26 weeks">
<text x="0" y="${16 + CELL}" class="hm-label">Mon</text><text x="0" y="${16 + 3 * (CELL + GAP) + CELL}" class="hm-label">Wed</text><text x="0" y="${16 + 5 * (CELL + GAP) + CELL}" class="hm-label">Fri</text>
${months}${cells}</svg>`
}
