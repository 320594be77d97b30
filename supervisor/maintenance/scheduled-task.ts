/**
 * @module scheduled-task
 * A job the supervisor runs on a cron schedule (node-cron is imported here only): one run at a
 * time, each run's result or error logged and kept for the status.
 */
import cron from 'node-cron'
import type { Logger } from '../logging/logger.js'
import type { SupervisedUnit } from '../supervision/supervised-unit.js'
import type { UnitState, UnitStatus } from '../supervision/unit-state.js'

export class ScheduleError extends Error {
  override name = 'ScheduleError'
}

export class ScheduledTask implements SupervisedUnit {
  private task: ReturnType<typeof cron.createTask> | undefined
  private running: Promise<void> | undefined
  private state: UnitState = 'stopped'
  private lastRun: { at: string; ok: boolean; summary: string } | undefined
  private startedAt: number | undefined

  constructor(
    readonly name: string,
    private readonly expression: string,
    private readonly work: () => Promise<string>,
    private readonly logger: Logger,
  ) {
    if (!cron.validate(expression)) throw new ScheduleError(`${name}: "${expression}" is not a valid cron expression`)
  }

  start(): void {
    this.task = cron.createTask(this.expression, () => this.runNow(), { name: this.name, noOverlap: true })
    void this.task.start()
    this.state = 'running'
    this.startedAt = Date.now()
  }

  // Run now (also between scheduled runs); a run already under way is awaited instead.
  runNow(): Promise<void> {
    this.running ??= (async () => {
      const at = new Date().toISOString()
      try {
        const summary = await this.work()
        this.lastRun = { at, ok: true, summary }
        this.logger.info(`${this.name}: ${summary}`)
      } catch (error) {
        this.lastRun = { at, ok: false, summary: (error as Error).message }
        this.logger.error(`${this.name} failed: ${(error as Error).message}`)
      }
    })().finally(() => (this.running = undefined))
    return this.running
  }

  async stop(): Promise<void> {
    await this.task?.destroy()
    this.task = undefined
    await this.running
    this.state = 'stopped'
  }

  async restart(): Promise<void> {
    await this.runNow()
  }

  status(): UnitStatus {
    const next = this.task?.getNextRun()
    return {
      name: this.name,
      kind: 'task',
      state: this.state,
      pid: undefined,
      startedAt: this.startedAt ? new Date(this.startedAt).toISOString() : undefined,
      uptimeSeconds: this.startedAt ? Math.round((Date.now() - this.startedAt) / 1000) : undefined,
      restarts: 0,
      lastExit: this.lastRun ? `${this.lastRun.ok ? 'ran' : 'failed'} at ${this.lastRun.at}: ${this.lastRun.summary}` : undefined,
      detail: `schedule "${this.expression}"${next ? `, next run ${next.toISOString()}` : ''}`,
    }
  }
}
