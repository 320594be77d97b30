/**
 * @module unit-state
 * The lifecycle of a supervised unit as one table.
 */

export type UnitState = 'starting' | 'running' | 'stopping' | 'stopped' | 'backing-off' | 'given-up'

export const UNIT_TRANSITIONS = {
  stopped: ['starting'],
  starting: ['running', 'backing-off', 'given-up', 'stopping', 'stopped'],
  running: ['backing-off', 'given-up', 'stopping', 'stopped'],
  'backing-off': ['starting', 'stopping', 'stopped'],
  'given-up': ['starting', 'stopping', 'stopped'],
  stopping: ['stopped'],
} as const satisfies Record<UnitState, readonly UnitState[]>

export class InvalidUnitTransitionError extends Error {
  override name = 'InvalidUnitTransitionError'
}

export function canMoveUnit(from: UnitState, to: UnitState): boolean {
  return (UNIT_TRANSITIONS[from] as readonly UnitState[]).includes(to)
}

/** What the status shows of a unit. */
export interface UnitStatus {
  name: string
  kind: 'child-process' | 'worker' | 'task'
  state: UnitState
  pid: number | undefined
  startedAt: string | undefined
  uptimeSeconds: number | undefined
  restarts: number
  lastExit: string | undefined
  detail: string | undefined
}
