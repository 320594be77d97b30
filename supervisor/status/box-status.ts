/**
 * @module box-status
 * What the status page, its JSON and the CLI show: every unit, the heartbeat, health checks and
 * alerts, whether receiving is open, and the queues.
 */
import type { HealthResult } from '../health/health-monitor.js'
import type { HeartbeatStatus } from '../health/heartbeat.js'
import type { AdmissionState } from '../receiver/disk-admission.js'
import type { Alert } from '../supervision/alerts.js'
import type { UnitStatus } from '../supervision/unit-state.js'

export interface BoxStatus {
  box: {
    version: string
    aet: string
    dicomPort: number
    dataDir: string
    streamsDir: string
    pid: number
    startedAt: string
    uptimeSeconds: number
  }
  units: UnitStatus[]
  heartbeat: HeartbeatStatus
  admission: AdmissionState | undefined
  health: HealthResult[]
  alerts: Alert[]
  queues: Record<string, { queued: number; running: number }>
  jobs: { queued: number; running: number; routing: number; indexed: number }
}
