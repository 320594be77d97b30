/**
 * @module supervised-unit
 * What the supervisor needs of every part it keeps alive.
 */
import type { UnitStatus } from './unit-state.js'

export interface SupervisedUnit {
  readonly name: string
  start(): void | Promise<void>
  /** Idempotent. */
  stop(): Promise<void>
  /** Restart by hand (also out of given-up). */
  restart(reason: string): Promise<void>
  status(): UnitStatus
}
