/**
 * @module health-monitor
 * Checks the machine on an interval (data disk, root disk, memory, CPU, Docker engine) against
 * the configured thresholds; a check over its threshold raises an alert (CPU only after several
 * checks in a row), and the alert is cleared when the check is fine again.
 */
import type { HealthSettings } from '../config/settings.js'
import type { Logger } from '../logging/logger.js'
import type { AlertCenter } from '../supervision/alerts.js'
import { cpuLoadPercent, diskUsage, memoryUsedPercent } from './system-probe.js'

export interface HealthResult {
  name: string
  ok: boolean
  value: string
  message: string
  checkedAt: string
}

/** One reading of the machine, kept for the system page's charts. */
export interface HealthSample {
  at: string
  scratchPercent: number | null
  rootPercent: number | null
  memoryPercent: number | null
  cpuPercent: number | null
}

export interface HealthMonitorDeps {
  settings: () => HealthSettings
  scratchDir: string
  rootDir?: string
  dockerPing: () => Promise<void>
  alerts: AlertCenter
  logger: Logger
}

const pct = (n: number) => `${n.toFixed(1)} %`

export class HealthMonitor {
  private timer: NodeJS.Timeout | undefined
  private results: HealthResult[] = []
  private readonly samples: HealthSample[] = []
  private cpuOver = 0
  private running: Promise<void> | undefined

  constructor(private readonly deps: HealthMonitorDeps) {}

  latest(): HealthResult[] {
    return this.results
  }

  // Readings of the last hours (at most one day's worth at the check interval).
  history(): HealthSample[] {
    return this.samples
  }

  start(): void {
    const interval = Math.max(1, this.deps.settings().intervalSeconds) * 1000
    void this.check()
    this.timer = setInterval(() => void this.check(), interval)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.running
  }

  // Run every check once (also on demand, e.g. for the status page).
  check(): Promise<void> {
    this.running ??= this.runChecks().finally(() => (this.running = undefined))
    return this.running
  }

  private async runChecks(): Promise<void> {
    const s = this.deps.settings()
    const at = new Date().toISOString()
    const results: HealthResult[] = []
    const sample: HealthSample = { at, scratchPercent: null, rootPercent: null, memoryPercent: null, cpuPercent: null }
    const record = (name: string, ok: boolean, value: string, message: string, alertKey = `health:${name}`) => {
      results.push({ name, ok, value, message, checkedAt: at })
      if (ok) this.deps.alerts.clear(alertKey, message)
      else this.deps.alerts.raise(alertKey, 'warning', message)
    }
    for (const [name, path, limit] of [
      ['scratch disk', this.deps.scratchDir, s.scratchPercent],
      ['root disk', this.deps.rootDir ?? '/', s.rootPercent],
    ] as const) {
      try {
        const disk = await diskUsage(path)
        if (name === 'scratch disk') sample.scratchPercent = disk.usedPercent
        else sample.rootPercent = disk.usedPercent
        const ok = disk.usedPercent <= limit
        record(name, ok, pct(disk.usedPercent), `${path} is ${pct(disk.usedPercent)} full (${(disk.freeBytes / 1e9).toFixed(1)} GB free; alert above ${limit} %)`)
      } catch (error) {
        record(name, false, '?', `cannot read the usage of ${path}: ${(error as Error).message}`)
      }
    }
    try {
      const memory = await memoryUsedPercent()
      sample.memoryPercent = memory
      record('memory', memory <= s.memoryPercent, pct(memory), `memory ${pct(memory)} used (alert above ${s.memoryPercent} %)`)
    } catch (error) {
      record('memory', false, '?', `cannot read memory use: ${(error as Error).message}`)
    }
    try {
      const cpu = await cpuLoadPercent()
      sample.cpuPercent = cpu
      this.cpuOver = cpu > s.cpuPercent ? this.cpuOver + 1 : 0
      const ok = this.cpuOver < s.cpuChecks
      record('cpu', ok, pct(cpu), `CPU load ${pct(cpu)}${this.cpuOver ? `, above ${s.cpuPercent} % for ${this.cpuOver} check(s) in a row` : ''} (alert after ${s.cpuChecks})`)
    } catch (error) {
      record('cpu', false, '?', `cannot read the CPU load: ${(error as Error).message}`)
    }
    try {
      await this.deps.dockerPing()
      record('docker', true, 'answers', 'the Docker engine answers')
    } catch (error) {
      record('docker', false, 'no answer', (error as Error).message)
    }
    this.results = results
    this.samples.push(sample)
    const keep = Math.max(60, Math.round(86_400 / Math.max(1, s.intervalSeconds)))
    if (this.samples.length > keep) this.samples.splice(0, this.samples.length - keep)
  }
}
