/**
 * WorkerWatch: the receiver primary asks its workers to answer and kills one silent past the
 * deadline. (The real thing, a SIGSTOPped worker process, is in test/integration/supervision.)
 */
import assert from 'node:assert/strict'
import type { Worker } from 'node:cluster'
import { EventEmitter } from 'node:events'
import { describe, it } from 'node:test'
import { createLogger } from '../../../supervisor/logging/logger.js'
import { WorkerWatch } from '../../../supervisor/receiver/worker-watch.js'
import { silenceDeadlineMs } from '../../../supervisor/supervision/liveness-probe.js'

// A stand-in for a cluster worker: records what it is sent and how it is killed.
function worker(pid: number) {
  const sent: unknown[] = []
  const killed: string[] = []
  const w = Object.assign(new EventEmitter(), {
    process: { pid, kill: (signal: string) => killed.push(signal) },
    isConnected: () => true,
    send: (message: unknown) => sent.push(message),
  })
  return { w: w as unknown as Worker, emitter: w, sent, killed }
}

describe('silenceDeadlineMs', () => {
  it('allows the heartbeat failures in a row plus one timeout', () => {
    assert.equal(silenceDeadlineMs({ intervalSeconds: 60, timeoutSeconds: 10, failuresBeforeRestart: 2 }), 130_000)
  })
})

describe('WorkerWatch', () => {
  it('asks every worker to answer, and kills one silent past the deadline, once', () => {
    let now = 0
    const watch = new WorkerWatch(1000, 3000, createLogger('receiver', { console: false }), () => now)
    const live = worker(101)
    const hung = worker(102)
    watch.add(live.w)
    watch.add(hung.w)
    for (now = 1000; now <= 5000; now += 1000) {
      watch.check()
      live.emitter.emit('message', { type: 'probe-answer', id: now })
    }
    assert.equal(live.killed.length, 0)
    assert.ok(live.sent.length >= 5)
    assert.deepEqual(hung.killed, ['SIGKILL'])
    now += 5000
    watch.check()
    assert.deepEqual(hung.killed, ['SIGKILL'], 'not killed twice')
  })
})
