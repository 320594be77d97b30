/**
 * @module sender-client
 * The supervisor's side of the sender child: `send()` hands an attempt to the child and resolves
 * with its result; when the child dies under it the attempt rejects with SenderUnavailableError,
 * which the scheduler retries without counting it against the destination.
 */
import type { ChildProgram } from '../supervision/child-program.js'
import type { FromSender, SendRequest } from './sender-messages.js'
import type { AttemptResult } from './send-instances.js'

export class SenderUnavailableError extends Error {
  override name = 'SenderUnavailableError'
}

type Pending = { resolve: (r: AttemptResult) => void; reject: (e: Error) => void }

export class SenderClient {
  private nextId = 1
  private readonly pending = new Map<number, Pending>()

  constructor(private readonly child: ChildProgram) {
    child.on('message', (raw) => {
      const message = raw as FromSender
      if (message.type === 'result' || message.type === 'error') {
        const waiter = this.pending.get(message.requestId)
        this.pending.delete(message.requestId)
        if (message.type === 'result') waiter?.resolve(message.result)
        else waiter?.reject(new Error(message.message))
      }
    })
    child.on('exit', (how) => {
      for (const waiter of this.pending.values()) waiter.reject(new SenderUnavailableError(`the sender process ${how} during the attempt`))
      this.pending.clear()
    })
  }

  send(request: Omit<SendRequest, 'requestId'>): Promise<AttemptResult> {
    const requestId = this.nextId++
    return new Promise<AttemptResult>((resolve, reject) => {
      this.pending.set(requestId, { resolve, reject })
      if (!this.child.send({ type: 'send', request: { ...request, requestId } })) {
        this.pending.delete(requestId)
        reject(new SenderUnavailableError(`the sender process is not running (${this.child.status().state})`))
      }
    })
  }
}
