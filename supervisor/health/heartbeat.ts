/**
 * @module heartbeat
 * Sends a real C-ECHO to the box's own receiver on an interval. No answer within the timeout, a
 * refused connection or a rejected association is a failure; after the configured number of
 * failures in a row the receiver is killed (SIGTERM, then SIGKILL) and its restart policy brings
 * it back. Every failure and every restart is logged with its reason.
 */
import type { HeartbeatSettings } from '../config/settings.js'
import { ScuAssociation } from '../dicom/scu-association.js'
import { VERIFICATION_SOP_CLASS } from '../dicom/pdu/dimse-command.js'
import type { Logger } from '../logging/logger.js'

export interface HeartbeatDeps {
  settings: () => HeartbeatSettings
  port: number
  ownAE: string
  /** Only a running receiver is checked (not one starting or backing off). */
  receiverRunning: () => boolean
  /** The receiver's pid: after a kill, beats pause until a new receiver runs. */
  receiverPid: () => number | undefined
  killReceiver: (reason: string) => void
  logger: Logger
}

export interface HeartbeatStatus {
  lastEchoAt: string | undefined
  lastOkAt: string | undefined
  consecutiveFailures: number
  lastFailure: string | undefined
}

// One C-ECHO, all of it (connect, associate, echo, release) within `timeoutMs`.
export async function echoOnce(port: number, calledAE: string, timeoutMs: number): Promise<void> {
  let association: ScuAssociation | undefined
  let timer: NodeJS.Timeout | undefined
  const attempt = (async () => {
    association = await ScuAssociation.open(
      { host: '127.0.0.1', port, calledAE, callingAE: 'MAGICKBOX-HB', connectTimeoutMs: timeoutMs, responseTimeoutMs: timeoutMs, maxPduLength: 16384 },
      [{ abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntax: '1.2.840.10008.1.2' }],
    )
    const response = await association.echo()
    if (response.status !== 0) throw new Error(`C-ECHO answered status 0x${response.status.toString(16)}`)
    await association.release()
  })()
  try {
    await Promise.race([
      attempt,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no C-ECHO answer within ${timeoutMs} ms`)), timeoutMs)
      }),
    ])
  } catch (error) {
    association?.abort()
    attempt.catch(() => undefined)
    throw error
  } finally {
    clearTimeout(timer)
  }
}

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined
  private beating: Promise<void> | undefined
  private killedPid: number | undefined
  readonly state: HeartbeatStatus = { lastEchoAt: undefined, lastOkAt: undefined, consecutiveFailures: 0, lastFailure: undefined }

  constructor(private readonly deps: HeartbeatDeps) {}

  start(): void {
    const { intervalSeconds } = this.deps.settings()
    if (intervalSeconds <= 0) {
      this.deps.logger.info('heartbeat is off (heartbeat.intervalSeconds is 0)')
      return
    }
    this.timer = setInterval(() => {
      this.beating ??= this.beat().finally(() => (this.beating = undefined))
    }, intervalSeconds * 1000)
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.beating
  }

  private async beat(): Promise<void> {
    if (!this.deps.receiverRunning()) return
    if (this.killedPid !== undefined && this.killedPid === this.deps.receiverPid()) return
    const s = this.deps.settings()
    this.state.lastEchoAt = new Date().toISOString()
    try {
      await echoOnce(this.deps.port, this.deps.ownAE, s.timeoutSeconds * 1000)
      if (this.state.consecutiveFailures > 0) this.deps.logger.info(`heartbeat: the receiver answers again after ${this.state.consecutiveFailures} failure(s)`)
      this.state.consecutiveFailures = 0
      this.state.lastOkAt = this.state.lastEchoAt
    } catch (error) {
      if (!this.deps.receiverRunning()) return
      this.state.consecutiveFailures++
      this.state.lastFailure = (error as Error).message
      this.deps.logger.warn(`heartbeat: C-ECHO to ${this.deps.ownAE} on port ${this.deps.port} failed (${this.state.consecutiveFailures} of ${s.failuresBeforeRestart}): ${this.state.lastFailure}`)
      if (this.state.consecutiveFailures >= s.failuresBeforeRestart) {
        this.state.consecutiveFailures = 0
        this.killedPid = this.deps.receiverPid()
        this.deps.killReceiver(`heartbeat: ${s.failuresBeforeRestart} C-ECHO(s) in a row failed, last: ${this.state.lastFailure}`)
      }
    }
  }
}
