/**
 * The job lifecycle table: which moves are allowed, what a refused move says, and the history
 * every move leaves behind.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Job, JobState } from '../../../supervisor/jobs/job.js'
import { ACTIVE_STATES, InvalidTransitionError, JOB_TRANSITIONS, canMove, moveJob } from '../../../supervisor/jobs/job-transitions.js'

const ALL_STATES: JobState[] = ['queued', 'running', 'routing', 'done', 'failed', 'cancelled']

function job(state: JobState, id = '20240101-120000-abcd'): Job {
  const at = '2024-01-01T12:00:00.000Z'
  return {
    id,
    state,
    stream: 'ECHO',
    calledAE: 'ECHO',
    callingAE: 'SCANNER',
    callerIP: '10.0.0.5',
    studyInstanceUID: '1.2.3.4',
    study: { patientId: 'P1', patientName: 'Doe^Jane', accessionNumber: 'A1', studyDate: '20240101', studyDescription: 'CT', modality: 'CT' },
    instances: 3,
    bytes: 3000,
    receivedAt: at,
    lastArrivalAt: at,
    completedAt: at,
    completedReason: 'quiet for 15 s',
    lateArrivalOf: [],
    queuedAt: at,
    waitingReason: undefined,
    runs: 0,
    startedAt: undefined,
    finishedAt: undefined,
    exitCode: undefined,
    outcome: undefined,
    outcomeMessage: undefined,
    failedReason: undefined,
    deliveries: [],
    routingNote: undefined,
    history: [{ at, from: undefined, to: state, reason: 'created' }],
  }
}

describe('JOB_TRANSITIONS', () => {
  it('has an entry for every job state', () => {
    assert.deepEqual(Object.keys(JOB_TRANSITIONS).sort(), [...ALL_STATES].sort())
  })

  it('only names known states as targets and never a move to the same state', () => {
    for (const [from, targets] of Object.entries(JOB_TRANSITIONS)) {
      for (const to of targets) {
        assert.ok(ALL_STATES.includes(to), `${from} → ${to} names an unknown state`)
        assert.notEqual(to, from)
      }
    }
  })

  it('counts queued, running and routing as the active states', () => {
    assert.deepEqual([...ACTIVE_STATES].sort(), ['queued', 'routing', 'running'])
  })
})

describe('canMove', () => {
  it('agrees with the table for every pair of states', () => {
    for (const from of ALL_STATES) {
      for (const to of ALL_STATES) {
        const listed = (JOB_TRANSITIONS[from] as readonly JobState[]).includes(to)
        assert.equal(canMove(from, to), listed, `${from} → ${to}`)
      }
    }
  })

  it('allows the happy path queued → running → routing → done', () => {
    assert.ok(canMove('queued', 'running'))
    assert.ok(canMove('running', 'routing'))
    assert.ok(canMove('routing', 'done'))
  })

  it('allows an operator to re-run or resend a finished job', () => {
    assert.ok(canMove('done', 'queued'))
    assert.ok(canMove('done', 'routing'))
    assert.ok(canMove('failed', 'queued'))
    assert.ok(canMove('failed', 'routing'))
    assert.ok(canMove('cancelled', 'queued'))
  })

  it('refuses skipping a step or leaving a terminal state sideways', () => {
    assert.equal(canMove('queued', 'done'), false)
    assert.equal(canMove('queued', 'routing'), false)
    assert.equal(canMove('done', 'running'), false)
    assert.equal(canMove('done', 'failed'), false)
    assert.equal(canMove('cancelled', 'routing'), false)
    assert.equal(canMove('failed', 'cancelled'), false)
  })
})

describe('moveJob', () => {
  it('moves a queued job to running and records the move with its reason', () => {
    const j = job('queued')
    const at = new Date('2024-02-03T04:05:06.789Z')
    const returned = moveJob(j, 'running', 'worker picked it up', at)
    assert.equal(returned, j, 'moves in place and returns the same job')
    assert.equal(j.state, 'running')
    assert.equal(j.history.length, 2)
    assert.deepEqual(j.history[1], { at: '2024-02-03T04:05:06.789Z', from: 'queued', to: 'running', reason: 'worker picked it up' })
  })

  it('keeps a full history over several moves, in order', () => {
    const j = job('queued')
    moveJob(j, 'running', 'started')
    moveJob(j, 'routing', 'stream finished')
    moveJob(j, 'done', 'all deliveries done')
    assert.deepEqual(
      j.history.slice(1).map((h) => [h.from, h.to, h.reason]),
      [
        ['queued', 'running', 'started'],
        ['running', 'routing', 'stream finished'],
        ['routing', 'done', 'all deliveries done'],
      ],
    )
  })

  it('stamps the move with the current time when none is given', () => {
    const before = Date.now()
    const j = moveJob(job('queued'), 'cancelled', 'operator')
    const stamped = Date.parse(j.history.at(-1)!.at)
    assert.ok(stamped >= before && stamped <= Date.now())
  })

  it('refuses done → running with an InvalidTransitionError naming the job and both states', () => {
    const j = job('done', '20240101-120000-dead')
    assert.throws(
      () => moveJob(j, 'running', 'nope'),
      (error: unknown) => {
        assert.ok(error instanceof InvalidTransitionError)
        assert.equal(error.name, 'InvalidTransitionError')
        assert.equal(error.jobId, '20240101-120000-dead')
        assert.equal(error.from, 'done')
        assert.equal(error.to, 'running')
        assert.equal(error.message, 'job 20240101-120000-dead cannot move from done to running')
        return true
      },
    )
  })

  it('leaves a refused job untouched', () => {
    const j = job('done')
    assert.throws(() => moveJob(j, 'running', 'nope'), InvalidTransitionError)
    assert.equal(j.state, 'done')
    assert.equal(j.history.length, 1)
  })

  it('accepts every move the table lists and refuses every other, from every state', () => {
    for (const from of ALL_STATES) {
      for (const to of ALL_STATES) {
        const j = job(from)
        if (canMove(from, to)) {
          moveJob(j, to, 'test')
          assert.equal(j.state, to)
        } else {
          assert.throws(() => moveJob(j, to, 'test'), InvalidTransitionError, `${from} → ${to} should be refused`)
        }
      }
    }
  })
})
