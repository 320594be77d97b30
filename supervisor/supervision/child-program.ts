/**
 * @module child-program
 * A part of the box that runs as its own Node.js process (receiver, sender): started with an
 * IPC channel, restarted after an exit with the restart policy's backoff, put in `given-up`
 * (with an alert) when it keeps crashing, killed on request (SIGTERM, then SIGKILL), and
 * restartable by hand. A running child is sent liveness probes (liveness-probe.ts); one that
 * stays silent past the deadline is hung, and is killed so that its restart policy brings it back.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import type { Logger } from '../logging/logger.js'
import type { AlertCenter } from './alerts.js'
import { isProbeAnswer, type LivenessProbe } from './liveness-probe.js'
import { decideRestart, type RestartPolicy } from './restart-policy.js'
import type { SupervisedUnit } from './supervised-unit.js'
import { canMoveUnit, InvalidUnitTransitionError, type UnitState, type UnitStatus } from './unit-state.js'

export interface ChildProgramOptions {
  name: string
  /** The module to run (a .js file, or .ts when the supervisor itself runs under tsx). */
  modulePath: string
  logger: Logger
  alerts: AlertCenter
  policy: () => RestartPolicy
  env?: NodeJS.ProcessEnv
  /** SIGTERM → SIGKILL grace (ms). @defaultValue 10000 */
  stopGraceMs?: number
  /** Called with the pid each time the child starts (pid files). */
  onSpawn?: (pid: number | undefined) => void
  /** Liveness probes: how often, and how long a child may stay silent (ms); interval 0 = none. */
  liveness?: () => { intervalMs: number; deadlineMs: number }
}

export interface ChildProgramEvents {
  message: [message: unknown]
  exit: [description: string]
}

export class ChildProgram extends EventEmitter<ChildProgramEvents> implements SupervisedUnit {
  readonly name: string
  private state: UnitState = 'stopped'
  private restartTimes: number[] = []
  private restarts = 0
  private lastExit: string | undefined
  private startedAt: number | undefined
  private child: ChildProcess | undefined
  private timer: NodeJS.Timeout | undefined
  private killReason: string | undefined
  private restartRequested = false
  private stopping: Promise<void> | undefined
  private lastAnswerAt = 0
  private probeTimer: NodeJS.Timeout | undefined
  private probes = 0

  constructor(private readonly options: ChildProgramOptions) {
    super()
    this.name = options.name
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  private move(to: UnitState): void {
    if (this.state === to) return
    if (!canMoveUnit(this.state, to)) throw new InvalidUnitTransitionError(`${this.name} cannot move from ${this.state} to ${to}`)
    this.state = to
  }

  status(): UnitStatus {
    const running = this.state === 'running' || this.state === 'starting'
    return {
      name: this.name,
      kind: 'child-process',
      state: this.state,
      pid: this.child?.pid,
      startedAt: running && this.startedAt ? new Date(this.startedAt).toISOString() : undefined,
      uptimeSeconds: running && this.startedAt ? Math.round((Date.now() - this.startedAt) / 1000) : undefined,
      restarts: this.restarts,
      lastExit: this.lastExit,
      detail: undefined,
    }
  }

  start(): void {
    this.stopping = undefined
    this.spawn()
    this.startProbing()
  }

  private startProbing(): void {
    const liveness = this.options.liveness?.()
    if (this.probeTimer || !liveness || liveness.intervalMs <= 0) return
    this.probeTimer = setInterval(() => this.probe(), liveness.intervalMs)
    this.probeTimer.unref()
  }

  // Send a probe to a running child, or kill it when it has been silent past the deadline.
  private probe(): void {
    const child = this.child
    if (this.state !== 'running' || !child?.connected || this.killReason) return
    const silentMs = Date.now() - this.lastAnswerAt
    const { deadlineMs } = this.options.liveness!()
    if (silentMs > deadlineMs) {
      this.kill(`no answer to liveness probes for ${Math.round(silentMs / 1000)} s: hung`)
      return
    }
    child.send({ type: 'probe', id: ++this.probes } satisfies LivenessProbe)
  }

  private spawn(): void {
    this.move('starting')
    this.startedAt = Date.now()
    this.killReason = undefined
    const child = fork(this.options.modulePath, [], { env: { ...process.env, ...this.options.env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.child = child
    this.options.onSpawn?.(child.pid)
    this.lastAnswerAt = Date.now()
    child.on('message', (message) => {
      this.lastAnswerAt = Date.now()
      if (isProbeAnswer(message)) return
      if (this.state === 'starting') this.move('running')
      this.emit('message', message)
    })
    child.on('error', (error) => this.options.logger.error(`${this.name}: ${error.message}`))
    child.on('exit', (code, signal) => this.exited(child, code, signal))
    this.options.logger.info(`${this.name} started (pid ${child.pid})`)
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return
    this.child = undefined
    const how = signal ? `killed by ${signal}` : `exited with code ${code}`
    this.lastExit = this.killReason ? `${how} (${this.killReason})` : how
    this.emit('exit', this.lastExit)
    if (this.state === 'stopping' || this.state === 'stopped') {
      this.state = 'stopped'
      return
    }
    if (this.restartRequested) {
      // restart() starts it again itself
      this.restarts++
      this.move('backing-off')
      return
    }
    const now = Date.now()
    const decision = decideRestart(this.restartTimes, now, this.options.policy())
    if (decision.action === 'give-up') {
      this.move('given-up')
      this.options.alerts.raise(`unit:${this.name}`, 'critical', `${this.name} ${this.lastExit} and is not restarted any more: ${decision.reason}; restart it by hand once the cause is fixed`)
      return
    }
    this.restartTimes.push(now)
    this.restarts++
    this.move('backing-off')
    this.options.logger.warn(`${this.name} ${this.lastExit}; restart ${this.restarts} in ${decision.delayMs} ms`)
    this.timer = setTimeout(() => this.spawn(), decision.delayMs)
  }

  // Kill the child for a reason (a failed heartbeat); the restart policy brings it back.
  kill(reason: string, graceMs = this.options.stopGraceMs ?? 10_000): void {
    const child = this.child
    if (!child) return
    this.killReason = reason
    this.options.logger.warn(`${this.name}: killing pid ${child.pid}: ${reason}`)
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    child.once('exit', () => clearTimeout(timer))
    // A stopped (SIGSTOP) process cannot act on SIGTERM until it is continued.
    child.kill('SIGCONT')
  }

  // Restart by hand: out of given-up or backing-off at once, or a running child is replaced.
  async restart(reason: string): Promise<void> {
    this.options.logger.info(`${this.name}: restart requested (${reason})`)
    clearTimeout(this.timer)
    this.restartTimes = []
    this.options.alerts.clear(`unit:${this.name}`, `${this.name} restarted by hand`)
    const child = this.child
    if (child) {
      this.restartRequested = true
      try {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve())
          this.kill(reason)
        })
      } finally {
        this.restartRequested = false
      }
    }
    if (this.state === 'stopping' || this.state === 'stopped') return
    this.spawn()
  }

  // Stop the child (SIGTERM, then SIGKILL after the grace period). Idempotent.
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      clearTimeout(this.timer)
      clearInterval(this.probeTimer)
      this.probeTimer = undefined
      const child = this.child
      if (this.state !== 'stopped') this.state = 'stopping'
      if (!child) {
        this.state = 'stopped'
        return resolve()
      }
      const kill = setTimeout(() => child.kill('SIGKILL'), this.options.stopGraceMs ?? 10_000)
      child.once('exit', () => {
        clearTimeout(kill)
        this.state = 'stopped'
        resolve()
      })
      child.kill('SIGTERM')
    })
    return this.stopping
  }

  send(message: unknown): boolean {
    if (!this.child?.connected) return false
    this.child.send(message as never)
    return true
  }
}
