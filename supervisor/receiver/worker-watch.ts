/**
 * @module worker-watch
 * The receiver primary's check on its worker processes. The supervisor's C-ECHO heartbeat reaches
 * one worker per beat (connections are handed out in turn), so a hung worker among healthy ones
 * would fail only every other beat and never be restarted. The primary therefore asks each worker
 * over IPC, every interval, to answer; a worker that has not answered within the deadline (the
 * heartbeat's own tolerance: `failuresBeforeRestart` intervals plus the timeout) is killed with
 * SIGKILL, and the primary starts another in its place as for any worker that dies.
 */
import type { Worker } from 'node:cluster'
import type { Logger } from '../logging/logger.js'

/** Primary → worker, and the worker's answer. */
export type WorkerProbe = { type: 'probe'; id: number }
export type WorkerProbeAnswer = { type: 'probe-answer'; id: number }

export function isProbeAnswer(message: unknown): message is WorkerProbeAnswer {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'probe-answer'
}

export function isProbe(message: unknown): message is WorkerProbe {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'probe'
}

// How long a worker may stay silent, from the heartbeat settings (seconds in, milliseconds out).
export function silenceDeadlineMs(heartbeat: { intervalSeconds: number; timeoutSeconds: number; failuresBeforeRestart: number }): number {
  return (heartbeat.failuresBeforeRestart * heartbeat.intervalSeconds + heartbeat.timeoutSeconds) * 1000
}

export class WorkerWatch {
  private readonly lastAnswer = new Map<Worker, number>()
  private timer: NodeJS.Timeout | undefined
  private probe = 0

  constructor(
    private readonly intervalMs: number,
    private readonly deadlineMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  // Watch a worker from now on (it counts as having answered now).
  add(worker: Worker): void {
    this.lastAnswer.set(worker, this.now())
    worker.on('message', (message: unknown) => {
      if (isProbeAnswer(message)) this.lastAnswer.set(worker, this.now())
    })
    worker.once('exit', () => this.lastAnswer.delete(worker))
  }

  start(): void {
    if (this.timer || this.intervalMs <= 0) return
    this.timer = setInterval(() => this.check(), this.intervalMs)
    this.timer.unref()
  }

  // Kill the workers silent past the deadline; ask the others to answer.
  check(): void {
    const now = this.now()
    this.probe++
    for (const [worker, answeredAt] of this.lastAnswer) {
      const silent = now - answeredAt
      if (silent > this.deadlineMs) {
        this.logger.warn(`receiver worker ${worker.process.pid} has not answered for ${Math.round(silent / 1000)} s: killing it (SIGKILL)`)
        this.lastAnswer.delete(worker)
        worker.process.kill('SIGKILL')
      } else if (worker.isConnected()) {
        worker.send({ type: 'probe', id: this.probe } satisfies WorkerProbe)
      }
    }
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }
}
