/**
 * @module echo-flood
 * A peer that associates and then sends C-ECHO requests as fast as the connection takes them
 * while never reading the answers (bounded in bytes and time). Without backpressure the box
 * would keep every unread answer in memory.
 */
import { once } from 'node:events'
import { connect } from 'node:net'
import { associateRQ, echoPdu } from './wire-messages.js'

export interface FloodResult {
  /** Bytes of requests the connection took (written through to the socket). */
  sentBytes: number
  requests: number
  /** The box had stopped reading (our writes were blocked) by the end. */
  blocked: boolean
}

export async function echoFlood(port: number, calledAE: string, maxBytes: number, maxMs: number): Promise<FloodResult> {
  const socket = connect({ host: '127.0.0.1', port })
  socket.on('error', () => undefined)
  await once(socket, 'connect')
  socket.write(associateRQ(calledAE))
  await once(socket, 'data')
  // From here on nothing is read: the box's answers fill the window, then its memory, unless it stops.
  socket.pause()
  const echo = echoPdu()
  const batch = Buffer.concat(Array.from({ length: 1000 }, () => echo))
  const deadline = Date.now() + maxMs
  let written = 0
  let blocked = false
  while (written < maxBytes && Date.now() < deadline) {
    if (!socket.write(batch)) {
      const drained = await Promise.race([once(socket, 'drain').then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), Math.max(0, Math.min(500, deadline - Date.now()))))])
      if (!drained) {
        blocked = true
        // Still blocked: the box has stopped reading us.
        if (Date.now() >= deadline) break
        continue
      }
    }
    written += batch.length
  }
  const sentBytes = written - socket.writableLength
  socket.destroy()
  return { sentBytes, requests: Math.floor(sentBytes / echo.length), blocked }
}
