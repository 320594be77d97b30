/**
 * @module lean-scp-target
 * Fuzz target: the receiver's whole association state machine (LeanScp with a real
 * StoreSession and InstanceWriter) fed the input as what a peer sends on one connection, cut
 * into chunks, then the connection closing. The socket is an in-memory stand-in; the stream
 * `FUZZSTORE` takes storage, `MAGICKBOX` is the box's own AE title. The temp path given to the
 * writer is an existing folder, so an instance's bytes run through the writer but never reach
 * the disk (its open fails and the C-STORE is answered with a failure status).
 *
 * LeanScp never throws to the socket: it answers a malformed PDU with A-ABORT and any other
 * exception with an A-ABORT logged as "receiver error". Here that log line is the crash. Checked
 * beyond that: everything the box writes back is whole, well-formed PDUs (an A-ASSOCIATE-AC
 * that decodes, P-DATA responses that decode), nothing but A-ABORT or A-ASSOCIATE-RJ before an
 * A-ASSOCIATE-RQ arrived, and no instance is ever reported stored.
 */
import { EventEmitter } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { decodeResponse } from '../../../supervisor/dicom/pdu/dimse-command.js'
import { decodeAssociateAC, decodePdvs } from '../../../supervisor/dicom/pdu/pdu-codec.js'
import { PduReader } from '../../../supervisor/dicom/pdu/pdu-reader.js'
import { PduType } from '../../../supervisor/dicom/pdu/pdu-types.js'
import { plainIdentifiers } from '../../../supervisor/logging/identifier-mask.js'
import type { Logger } from '../../../supervisor/logging/logger.js'
import type { DiskAdmission } from '../../../supervisor/receiver/disk-admission.js'
import type { IncomingStore } from '../../../supervisor/receiver/incoming-store.js'
import { LeanScp } from '../../../supervisor/receiver/lean-scp.js'
import type { StoreScpDeps } from '../../../supervisor/receiver/store-session.js'
import type { StreamCatalog } from '../../../supervisor/streams/load-streams.js'
import type { StreamDefinition } from '../../../supervisor/streams/stream-definition.js'
import { invariant, mustSucceed, type FuzzTarget } from '../fuzz-target.js'
import { pduStreamFields } from '../length-fields.js'
import { PDU_DICTIONARY } from './dicom-dictionary.js'
import { inputChunks } from './input-chunks.js'

/** A socket as LeanScp uses one: events in, bytes out, nothing on the network. */
class MemorySocket extends EventEmitter {
  readonly remoteAddress = '127.0.0.1'
  readonly written: Buffer[] = []
  destroyed = false
  ended = false
  write(bytes: Buffer): boolean {
    this.written.push(Buffer.from(bytes))
    return true
  }
  end(): void {
    this.ended = true
  }
  destroy(): void {
    this.destroyed = true
  }
  pause(): void {}
  resume(): void {}
  setNoDelay(): void {}
}

class MemoryLogger implements Logger {
  readonly part = 'receiver'
  readonly ids = plainIdentifiers
  readonly lines: string[] = []
  debug(): void {}
  info(): void {}
  warn(message: string): void {
    this.lines.push(message)
  }
  error(message: string): void {
    this.lines.push(message)
  }
  close(): void {}
}

let folder: string | undefined
// An existing (empty) folder: the writer's exclusive open of it fails, so nothing is written.
function unwritablePath(): string {
  if (!folder) {
    const made = mkdtempSync(join(tmpdir(), 'magickbox-fuzz-'))
    process.once('exit', () => rmSync(made, { recursive: true, force: true }))
    folder = made
  }
  return folder
}

const STREAM = { aeTitle: 'FUZZSTORE', allowedCallers: undefined } as StreamDefinition

function deps(logger: MemoryLogger, stored: string[]): StoreScpDeps {
  const space = { open: true, freeBytes: 1e12, reserveBytes: 0 }
  return {
    ownAE: 'MAGICKBOX',
    allowedCallers: { aeTitles: [], ips: [] },
    maxInstanceBytes: 4096,
    catalog: { find: (ae: string) => (ae.trim() === STREAM.aeTitle ? STREAM : undefined) } as unknown as StreamCatalog,
    incoming: { tempPath: unwritablePath } as unknown as IncomingStore,
    admission: { state: () => space, refresh: () => space } as unknown as DiskAdmission,
    logger,
    fsync: false,
    maxPduLength: 16384,
    onStored: (event) => stored.push(event.sopInstanceUID),
    onActivity: () => undefined,
  }
}

export const leanScpTarget: FuzzTarget = {
  name: 'lean-scp',
  description: "the receiver's association state machine (LeanScp + StoreSession) over one connection",
  maxLength: 16384,
  async: true,
  dictionary: PDU_DICTIONARY,
  lengthFields: (input) => pduStreamFields(input),
  async run(input) {
    const logger = new MemoryLogger()
    const stored: string[] = []
    const socket = new MemorySocket()
    const scp = new LeanScp(socket as never, deps(logger, stored), { requestTimeoutMs: 600_000, idleTimeoutMs: 600_000 })
    for (const chunk of inputChunks(input)) socket.emit('data', chunk)
    socket.emit('close')
    // Let the C-STOREs in flight finish (their writers' opens and closes are asynchronous).
    const inFlight = (scp as unknown as { inFlight: Set<unknown> }).inFlight
    for (let turn = 0; turn < 200 && inFlight.size > 0; turn++) await nextTurn()
    await nextTurn()

    const swallowed = logger.lines.find((line) => line.includes('receiver error:'))
    invariant(!swallowed, () => `LeanScp caught an unexpected error: ${swallowed}`)
    invariant(stored.length === 0, 'an instance was reported stored although nothing can be written')
    const out = Buffer.concat(socket.written)
    const pdus = mustSucceed('the bytes the box wrote', () => new PduReader().push(out))
    invariant(pdus.reduce((n, p) => n + 6 + p.body.length, 0) === out.length, 'the box wrote a partial PDU')
    const associated = pdus.findIndex((p) => p.type === PduType.AssociateAC)
    for (const [i, pdu] of pdus.entries()) {
      invariant([PduType.AssociateAC, PduType.AssociateRJ, PduType.PData, PduType.ReleaseRP, PduType.Abort].includes(pdu.type as 2), `the box wrote PDU type ${pdu.type}`)
      if (pdu.type === PduType.AssociateAC) mustSucceed('the A-ASSOCIATE-AC the box wrote', () => decodeAssociateAC(pdu.body))
      if (pdu.type === PduType.PData || pdu.type === PduType.ReleaseRP) invariant(associated >= 0 && i > associated, `PDU type ${pdu.type} written before the association was accepted`)
      if (pdu.type === PduType.PData) mustSucceed('the response the box wrote', () => [...decodePdvs(pdu.body)].map((pdv) => decodeResponse(pdv.data)))
    }
  },
}
