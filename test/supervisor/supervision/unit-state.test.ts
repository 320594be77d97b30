/**
 * The unit lifecycle table.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { canMoveUnit, UNIT_TRANSITIONS, type UnitState } from '../../../supervisor/supervision/unit-state.js'

describe('unit states', () => {
  it('start from stopped only through starting', () => {
    assert.deepEqual(UNIT_TRANSITIONS.stopped, ['starting'])
  })

  it('let a crashed unit back off, give up, and be started again by hand', () => {
    assert.ok(canMoveUnit('running', 'backing-off'))
    assert.ok(canMoveUnit('backing-off', 'starting'))
    assert.ok(canMoveUnit('running', 'given-up'))
    assert.ok(canMoveUnit('given-up', 'starting'))
  })

  it('never leave stopping except to stopped', () => {
    for (const to of Object.keys(UNIT_TRANSITIONS) as UnitState[]) assert.equal(canMoveUnit('stopping', to), to === 'stopped')
  })
})
