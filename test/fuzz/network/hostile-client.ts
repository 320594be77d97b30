/**
 * @module hostile-client
 * Plays one hostile case against a live receiver over a raw socket on 127.0.0.1: writes its
 * bytes, pauses, waits for the answers it expects, then lingers (bounded) until the box has
 * reacted as the case expects or closed the connection, and closes it itself. What the box sent back is recorded: PDU
 * types, the DIMSE statuses of its responses, and whether it closed the connection.
 */
import { connect, type Socket } from 'node:net'
import { decodeResponse } from '../../../supervisor/dicom/pdu/dimse-command.js'
import { decodePdvs, PDV_COMMAND } from '../../../supervisor/dicom/pdu/pdu-codec.js'
import { PduReader } from '../../../supervisor/dicom/pdu/pdu-reader.js'
import { PduType } from '../../../supervisor/dicom/pdu/pdu-types.js'

export type Step =
  | { send: Buffer }
  | { pause: number }
  /** Wait for the box's next PDU, which must be one of these types. */
  | { expect: number[]; timeoutMs?: number }
  /** Wait for something outside this connection (e.g. all parallel associations being open). */
  | { barrier: () => Promise<void> }

export interface CaseResult {
  /** PDU types the box sent, in order. */
  received: number[]
  /** How many of them the case's expect steps took: the rest came after the steps. */
  consumed: number
  /** Statuses of the DIMSE responses it sent. */
  statuses: number[]
  /** The box closed (or reset) the connection. */
  closedByBox: boolean
  /** Expectations that failed ("expected 2, got 7", "expected 4, got nothing"). */
  missed: string[]
  /** Could not connect or write. */
  error: string | undefined
  ms: number
}

export interface HostileCase {
  id: number
  kind: string
  /** What the case does, for failure messages. */
  what: string
  steps: Step[]
  /** After the steps, how long at most to wait for the box's reaction (until `check` passes or it closes). */
  lingerMs: number
  /** After the steps, how long at least to keep the connection open. @defaultValue 0 */
  settleMs?: number
  /** Says what is wrong with the box's behaviour, or undefined when it is right. */
  check?: (r: CaseResult) => string | undefined
  /** SOP Instance UIDs a valid C-STORE of this case sends (they must be stored, whole). */
  stores?: string[]
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function playCase(port: number, c: HostileCase): Promise<CaseResult> {
  const started = Date.now()
  const result: CaseResult = { received: [], consumed: 0, statuses: [], closedByBox: false, missed: [], error: undefined, ms: 0 }
  const reader = new PduReader()
  let wake: () => void = () => undefined
  const changed = () => new Promise<void>((resolve) => (wake = resolve))

  let socket: Socket
  try {
    socket = connect({ host: '127.0.0.1', port })
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('connect timed out')), 5000)
      socket.once('connect', () => (clearTimeout(timer), resolve()))
      socket.once('error', (e) => (clearTimeout(timer), reject(e)))
    })
  } catch (error) {
    result.error = `connect: ${(error as Error).message}`
    result.ms = Date.now() - started
    return result
  }
  socket.on('error', () => undefined)
  socket.on('data', (chunk: Buffer) => {
    try {
      for (const pdu of reader.push(chunk)) {
        result.received.push(pdu.type)
        if (pdu.type === PduType.PData) {
          for (const pdv of decodePdvs(pdu.body)) if (pdv.control & PDV_COMMAND) result.statuses.push(decodeResponse(pdv.data).status)
        }
      }
    } catch (error) {
      result.missed.push(`the box sent bytes that do not parse: ${(error as Error).message}`)
    }
    wake()
  })
  let closingOurselves = false
  socket.on('close', () => {
    if (!closingOurselves) result.closedByBox = true
    wake()
  })

  // Wait (bounded) until `ready()` holds or the connection is gone.
  const waitUntil = async (ready: () => boolean, ms: number) => {
    const deadline = Date.now() + ms
    while (!ready() && !result.closedByBox && Date.now() < deadline) {
      await Promise.race([changed(), delay(Math.max(1, deadline - Date.now()))])
    }
    return ready()
  }

  try {
    for (const step of c.steps) {
      if ('send' in step) {
        if (result.closedByBox) break
        socket.write(step.send)
      } else if ('pause' in step) await delay(step.pause)
      else if ('barrier' in step) await step.barrier()
      else {
        const got = await waitUntil(() => result.received.length > result.consumed, step.timeoutMs ?? 3000)
        if (!got) {
          result.missed.push(`expected PDU ${step.expect.join('/')}, got ${result.closedByBox ? 'the connection closed' : 'nothing'}`)
          break
        }
        const type = result.received[result.consumed++]!
        if (!step.expect.includes(type)) {
          result.missed.push(`expected PDU ${step.expect.join('/')}, got ${type}`)
          break
        }
      }
    }
    const settle = Math.min(c.settleMs ?? 0, c.lingerMs)
    if (settle > 0) await waitUntil(() => false, settle)
    if (c.lingerMs > settle) await waitUntil(() => (c.check ? c.check(result) === undefined : false), c.lingerMs - settle)
  } finally {
    closingOurselves = true
    socket.destroy()
  }
  result.ms = Date.now() - started
  return result
}
