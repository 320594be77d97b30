/**
 * @module worker-watch
 * The receiver primary's check on its worker processes. The supervisor's C-ECHO heartbeat reaches
 * one worker per beat (connections are handed out in turn), so a hung worker among healthy ones
 * would fail only every other beat and never be restarted. The primary therefore sends each
 * worker a liveness probe (liveness-probe.ts) every interval; a worker that has not answered
 * within the deadline is killed with SIGKILL, and the primary starts another in its place as for
 * any worker that dies.
 */
import type { Worker } from 'node:cluster'
import type { Logger } from '../logging/logger.js'
import { isProbeAnswer, type LivenessProbe } from '../supervision/liveness-probe.js'

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
        worker.send({ type: 'probe', id: this.probe } satisfies LivenessProbe)
      }
    }
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
  }
}
