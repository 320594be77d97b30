/**
 * @module child-program
 * A part of the box that runs as its own Node.js process (the receiver): started with an IPC
 * channel, restarted with backoff when it exits, stopped with SIGTERM then SIGKILL.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import type { Logger } from '../logging/logger.js'

export type UnitState = 'starting' | 'running' | 'stopping' | 'stopped' | 'backing-off'

export interface ChildProgramOptions {
  name: string
  /** The module to run (a .js file, or .ts when the supervisor itself runs under tsx). */
  modulePath: string
  logger: Logger
  env?: NodeJS.ProcessEnv
  /** First restart delay (ms), doubled per quick crash up to maxDelayMs. @defaultValue 500 */
  firstDelayMs?: number
  /** @defaultValue 30000 */
  maxDelayMs?: number
  /** SIGTERM → SIGKILL grace (ms). @defaultValue 10000 */
  stopGraceMs?: number
}

export interface ChildProgramEvents {
  message: [message: unknown]
  exit: [code: number | null, signal: NodeJS.Signals | null]
}

export class ChildProgram extends EventEmitter<ChildProgramEvents> {
  state: UnitState = 'stopped'
  restarts = 0
  lastExit: string | undefined
  private child: ChildProcess | undefined
  private startedAt = 0
  private delayMs: number
  private timer: NodeJS.Timeout | undefined
  private stopping: Promise<void> | undefined

  constructor(private readonly options: ChildProgramOptions) {
    super()
    this.delayMs = options.firstDelayMs ?? 500
  }

  get pid(): number | undefined {
    return this.child?.pid
  }

  start(): void {
    this.stopping = undefined
    this.spawn()
  }

  private spawn(): void {
    const { logger, name } = this.options
    this.state = 'starting'
    this.startedAt = Date.now()
    const child = fork(this.options.modulePath, [], { env: { ...process.env, ...this.options.env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.child = child
    child.on('message', (message) => {
      if (this.state === 'starting') this.state = 'running'
      this.emit('message', message)
    })
    child.on('exit', (code, signal) => {
      this.child = undefined
      this.lastExit = signal ? `killed by ${signal}` : `exited with code ${code}`
      this.emit('exit', code, signal)
      if (this.state === 'stopping' || this.state === 'stopped') {
        this.state = 'stopped'
        return
      }
      if (Date.now() - this.startedAt > 60_000) this.delayMs = this.options.firstDelayMs ?? 500
      this.restarts++
      this.state = 'backing-off'
      logger.warn(`${name} ${this.lastExit}; restart ${this.restarts} in ${this.delayMs} ms`)
      this.timer = setTimeout(() => this.spawn(), this.delayMs)
      this.delayMs = Math.min(this.delayMs * 2, this.options.maxDelayMs ?? 30_000)
    })
    logger.info(`${name} started (pid ${child.pid})`)
  }

  // Stop the child (SIGTERM, then SIGKILL after the grace period). Idempotent.
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      clearTimeout(this.timer)
      const child = this.child
      this.state = 'stopping'
      if (!child) {
        this.state = 'stopped'
        return resolve()
      }
      const kill = setTimeout(() => child.kill('SIGKILL'), this.options.stopGraceMs ?? 10_000)
      child.once('exit', () => {
        clearTimeout(kill)
        resolve()
      })
      child.kill('SIGTERM')
    })
    return this.stopping
  }

  send(message: unknown): void {
    if (this.child?.connected) this.child.send(message as never)
  }
}
