/**
 * @module hostile-cases
 * A seeded generator of hostile network cases against the receiver, each with what the box must
 * do about it (abort, reject, answer with a failure status, or at least survive):
 *
 * - truncated: a valid conversation cut anywhere before an instance could be complete
 * - wrong-length: PDU headers whose length is 0, tiny, off by a few, 0x10000, 0x7FFFFFFF,
 *   0x80000000, 0xFFFFFFFE, 0xFFFFFFFF, before and after the association
 * - out-of-order: release before association, a second A-ASSOCIATE-RQ, an A-ASSOCIATE-AC or -RJ
 *   sent to the SCP, a data set without a command, a command before the last data set ended,
 *   a context that was not accepted
 * - pdata-before-association, unknown-pdu-type
 * - abort-storm: 10 to 30 connections at once that abort, or vanish, right away or once associated
 * - malformed-rq: A-ASSOCIATE-RQ items with lengths past the end or short, missing or wrong
 *   application context, protocol versions, no or 500 contexts, AE titles with control
 *   characters, odd user information, unknown items, the largest and one byte too large
 * - garbage-after-association: broken PDVs, unreadable command sets, a command set over 64 KiB,
 *   bad UIDs, C-STORE without a data set, operations the box does not perform, an instance over
 *   the size limit, a data set in thousands of one-byte PDVs
 * - malformed-dataset: well-framed C-STOREs of data sets that are truncated, lie about lengths,
 *   carry another SOP Instance UID or no Study Instance UID (a failure status, nothing kept)
 * - and, played on its own (it raises the receiver's memory for a while): a deflate bomb, a
 *   deflated data set of under 1 MiB that inflates to 1 GiB
 * - mutated: valid conversations run through the fuzzer's mutator (anything may happen but a crash)
 * - control-store, control-echo: valid C-STORE and C-ECHO, which must succeed
 *
 * Truncated, malformed and garbage cases go to a stream with a 1 s quiet period, so anything
 * that slipped into storage would become a job; mutated ones to a stream that holds its studies.
 */
import { deflateRawSync } from 'node:zlib'
import { encodeAbort, encodeAssociateAC, encodeAssociateRJ, PDV_COMMAND, PDV_LAST, RELEASE_RP, RELEASE_RQ } from '../../../supervisor/dicom/pdu/pdu-codec.js'
import { cStoreRequest } from '../../../supervisor/dicom/pdu/dimse-command.js'
import { PduType } from '../../../supervisor/dicom/pdu/pdu-types.js'
import { pduStreamFields } from '../length-fields.js'
import { mutate } from '../mutator.js'
import { Prng } from '../prng.js'
import { PDU_DICTIONARY } from '../targets/dicom-dictionary.js'
import type { CaseResult, HostileCase, Step } from './hostile-client.js'
import { associateRQ, CT_IMAGE_STORAGE, datasetPdus, echoPdu, EXPLICIT_LE, IMPLICIT_LE, pdata, storeCommandPdu, tinyCtDataset, VERIFICATION } from './wire-messages.js'

export interface CampaignAETitles {
  /** A stream with a short quiet period: anything stored there would become a job. */
  garbage: string
  /** A stream that holds its studies: valid control instances. */
  hold: string
  /** A stream that holds its studies: mutated conversations. */
  mutant: string
  /** The box's own AE title. */
  own: string
}

/** A hostile case played as several connections at once. */
export interface HostileBurst extends HostileCase {
  copies: HostileCase[]
}

const A = PduType
const DEFLATED_LE = '1.2.840.10008.1.2.1.99'
let bomb: Buffer | undefined
const RECEIVER_MAX_PDU = 131072

// The box ends the association: A-ABORT, then the connection closes.
const aborts = (r: CaseResult) => (r.received.includes(A.Abort) && r.closedByBox ? undefined : `expected an A-ABORT and the connection closed, got PDUs [${r.received}]${r.closedByBox ? ', closed' : ', still open'}`)
const closes = (r: CaseResult) => (r.closedByBox ? undefined : `expected the box to close the connection, got PDUs [${r.received}], still open`)
const reacts = (r: CaseResult) => (r.received.length > r.consumed || r.closedByBox ? undefined : 'expected some answer or the connection closed, got silence')
const rejects = (r: CaseResult) => (r.received[0] === A.AssociateRJ && r.closedByBox ? undefined : `expected A-ASSOCIATE-RJ and the connection closed, got PDUs [${r.received}]`)
const noAccept = (r: CaseResult) => (r.received.includes(A.AssociateAC) ? `an incomplete A-ASSOCIATE-RQ was accepted` : undefined)
const fine = () => undefined
const expected = (r: CaseResult) => (r.missed.length ? r.missed.join('; ') : undefined)
const both =
  (...checks: ((r: CaseResult) => string | undefined)[]) =>
  (r: CaseResult) => {
    for (const check of checks) {
      const problem = check(r)
      if (problem) return problem
    }
    return undefined
  }
const failureStatus = (allowed: number[]) => (r: CaseResult) =>
  r.statuses.length >= 1 && allowed.includes(r.statuses[0]!) ? undefined : `expected a failure status ${allowed.map((s) => `0x${s.toString(16)}`).join('/')}, got statuses [${r.statuses.map((s) => `0x${s.toString(16)}`)}]`
const successStatus = (r: CaseResult) => (r.statuses.length >= 1 && r.statuses.every((s) => s === 0) ? undefined : `expected Success, got statuses [${r.statuses.map((s) => `0x${s.toString(16)}`)}]`)

function header(type: number, length: number): Buffer {
  const h = Buffer.alloc(6)
  h.writeUInt8(type, 0)
  h.writeUInt32BE(length >>> 0, 2)
  return h
}

export class HostileCaseGenerator {
  private readonly prng: Prng
  private next = 0
  private uidCounter = 0

  constructor(
    seed: string,
    private readonly ae: CampaignAETitles,
  ) {
    this.prng = new Prng(`hostile:${seed}`)
  }

  /** A fresh, valid UID (deterministic for the seed). */
  uid(): string {
    return `2.25.${this.prng.between(100000, 999999)}${this.prng.between(100000, 999999)}.${++this.uidCounter}`
  }

  private make(kind: string, what: string, steps: Step[], lingerMs: number, check: (r: CaseResult) => string | undefined, stores?: string[], settleMs = 0): HostileCase {
    return { id: ++this.next, kind, what, steps, lingerMs, settleMs, check, stores }
  }

  private associated(calledAE: string): Step[] {
    return [{ send: associateRQ(calledAE) }, { expect: [A.AssociateAC] }]
  }

  /** `count` cases (a burst counts as one). */
  cases(count: number): (HostileCase | HostileBurst)[] {
    const kinds: [string, number, () => HostileCase | HostileBurst][] = [
      ['truncated', 14, () => this.truncated()],
      ['wrong-length', 14, () => this.wrongLength()],
      ['out-of-order', 10, () => this.outOfOrder()],
      ['pdata-before-association', 6, () => this.pdataBeforeAssociation()],
      ['unknown-pdu-type', 6, () => this.unknownPduType()],
      ['abort-storm', 2, () => this.abortStorm()],
      ['malformed-rq', 14, () => this.malformedRq()],
      ['garbage-after-association', 10, () => this.garbageAfterAssociation()],
      ['malformed-dataset', 8, () => this.malformedDataset()],
      ['mutated', 10, () => this.mutated()],
      ['control-store', 4, () => this.controlStore()],
      ['control-echo', 2, () => this.controlEcho()],
    ]
    const total = kinds.reduce((n, [, w]) => n + w, 0)
    const out: (HostileCase | HostileBurst)[] = []
    // Every kind at least once, early; then by weight.
    for (const [, , make] of kinds) out.push(make())
    while (out.length < count) {
      let r = this.prng.int(total)
      for (const [, w, make] of kinds) {
        if (r < w) {
          out.push(make())
          break
        }
        r -= w
      }
    }
    return out
  }

  private truncated(): HostileCase {
    const uid = this.uid()
    const rq = associateRQ(this.ae.garbage)
    const variants = [
      { name: 'echo', bytes: Buffer.concat([rq, echoPdu(), RELEASE_RQ]) },
      { name: 'store', bytes: Buffer.concat([rq, storeCommandPdu(uid), datasetPdus(tinyCtDataset(uid, '1.2.3'), 64)]) },
      { name: 'own-echo', bytes: Buffer.concat([associateRQ(this.ae.own), echoPdu()]) },
    ]
    const v = this.prng.pick(variants)
    // Cut before the last byte: the store's last data PDV (its end) never arrives whole.
    const cut = this.prng.between(1, v.bytes.length - 1)
    const check = cut < rq.length ? noAccept : fine
    const hold = this.prng.between(20, 120)
    return this.make('truncated', `${v.name} conversation cut at byte ${cut} of ${v.bytes.length}`, [{ send: v.bytes.subarray(0, cut) }], hold, check, undefined, hold)
  }

  private wrongLength(): HostileCase {
    const type = this.prng.between(1, 7)
    const bodies: Record<number, Buffer> = {
      1: associateRQ(this.ae.garbage).subarray(6),
      2: encodeAssociateAC({ calledAE: 'X', callingAE: 'Y' }, [{ id: 1, result: 0, transferSyntax: EXPLICIT_LE }], { maxPduLength: 0, implementationClassUid: '1.2', implementationVersionName: 'X' }).subarray(6),
      3: encodeAssociateRJ(1, 1, 1).subarray(6),
      4: echoPdu().subarray(6),
      5: RELEASE_RQ.subarray(6),
      6: RELEASE_RP.subarray(6),
      7: encodeAbort(0, 0).subarray(6),
    }
    const body = bodies[type]!
    const declared = this.prng.pick([0, 1, 2, 3, 4, 5, 6, 0x10000, 0x10001, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, body.length + this.prng.between(1, 3), Math.max(0, body.length - this.prng.between(1, 3))])
    const after = this.prng.chance(0.4)
    const refusedByHeader = type === A.PData ? declared > RECEIVER_MAX_PDU || declared < 6 : declared > 65536
    const complete = declared <= body.length
    let check: (r: CaseResult) => string | undefined = fine
    if (refusedByHeader) check = aborts
    else if (complete) {
      if (!after) check = type === A.AssociateRQ ? reacts : type === A.Abort ? closes : aborts
      else check = type === A.ReleaseRQ ? reacts : type === A.Abort ? closes : type === A.PData && declared === body.length ? fine : aborts
    }
    const steps: Step[] = [...(after ? this.associated(this.ae.garbage) : []), { send: Buffer.concat([header(type, declared), body]) }]
    return this.make('wrong-length', `PDU type ${type} declaring ${declared} bytes with ${body.length}, ${after ? 'after' : 'before'} the association`, steps, complete || refusedByHeader ? 2000 : 60, both(expected, check), undefined, complete || refusedByHeader ? 0 : 60)
  }

  private outOfOrder(): HostileCase {
    const ac = encodeAssociateAC({ calledAE: 'X', callingAE: 'Y' }, [{ id: 1, result: 0, transferSyntax: EXPLICIT_LE }], { maxPduLength: 0, implementationClassUid: '1.2', implementationVersionName: 'X' })
    const uid = this.uid()
    const g = this.ae.garbage
    const scenarios: [string, Step[], (r: CaseResult) => string | undefined][] = [
      ['A-RELEASE-RQ before the association', [{ send: RELEASE_RQ }], aborts],
      ['A-RELEASE-RP before the association', [{ send: RELEASE_RP }], aborts],
      ['A-ASSOCIATE-AC sent to the SCP', [{ send: ac }], aborts],
      ['A-ASSOCIATE-RJ sent to the SCP', [{ send: encodeAssociateRJ(1, 1, 1) }], aborts],
      ['a second A-ASSOCIATE-RQ', [...this.associated(g), { send: associateRQ(g) }], aborts],
      ['an A-ASSOCIATE-AC after the association', [...this.associated(g), { send: ac }], aborts],
      ['an A-RELEASE-RP instead of a request', [...this.associated(g), { send: RELEASE_RP }], aborts],
      ['P-DATA after the release', [...this.associated(g), { send: RELEASE_RQ }, { expect: [A.ReleaseRP] }, { send: echoPdu() }], (r) => (r.closedByBox ? undefined : 'the connection stayed open after the release')],
      ['a data set without a command', [...this.associated(g), { send: datasetPdus(tinyCtDataset(uid, '1.2.3')) }], aborts],
      ['a command before the last data set ended', [...this.associated(g), { send: storeCommandPdu(uid) }, { send: pdata(1, 0, Buffer.alloc(10)) }, { send: storeCommandPdu(uid) }], aborts],
      ['a command on a context never proposed', [...this.associated(g), { send: pdata(5, PDV_COMMAND | PDV_LAST, echoPdu().subarray(12)) }], aborts],
      ['a C-STORE on the box\'s own AE title, whose storage context was refused', [...this.associated(this.ae.own), { send: storeCommandPdu(uid) }], aborts],
      ['an A-ABORT once associated', [...this.associated(g), { send: encodeAbort(0, 0) }], (r) => (r.closedByBox ? undefined : 'the connection stayed open after the A-ABORT')],
      ['a release while a command set is half sent', [...this.associated(g), { send: pdata(3, PDV_COMMAND, echoPdu().subarray(12, 30)) }, { send: RELEASE_RQ }], (r) => (r.closedByBox ? undefined : 'the connection stayed open')],
    ]
    const [what, steps, check] = this.prng.pick(scenarios)
    return this.make('out-of-order', what, steps, 2000, both(expected, check))
  }

  private pdataBeforeAssociation(): HostileCase {
    const uid = this.uid()
    const variants: [string, Buffer][] = [
      ['a C-ECHO', echoPdu()],
      ['a C-STORE command', storeCommandPdu(uid)],
      ['a data set', datasetPdus(tinyCtDataset(uid, '1.2.3'))],
      ['a P-DATA-TF of 100 empty PDVs', Buffer.concat([header(A.PData, 600), Buffer.concat(Array.from({ length: 100 }, () => Buffer.from([0, 0, 0, 2, 1, 0])))])],
    ]
    const [what, bytes] = this.prng.pick(variants)
    return this.make('pdata-before-association', what, [{ send: bytes }], 2000, aborts)
  }

  private unknownPduType(): HostileCase {
    const type = this.prng.chance(0.2) ? 0 : this.prng.between(8, 255)
    const body = this.prng.bytes(this.prng.between(0, 20))
    const after = this.prng.chance(0.3)
    const steps: Step[] = [...(after ? this.associated(this.ae.garbage) : []), { send: Buffer.concat([header(type, body.length), body]) }]
    return this.make('unknown-pdu-type', `PDU type 0x${type.toString(16)} ${after ? 'after' : 'before'} the association`, steps, 2000, both(expected, aborts))
  }

  private abortStorm(): HostileBurst {
    const n = this.prng.between(10, 30)
    const copies: HostileCase[] = []
    for (let i = 0; i < n; i++) {
      const style = this.prng.int(4)
      if (style === 0) copies.push(this.make('abort-storm', 'an A-ABORT right away', [{ send: encodeAbort(0, 0) }], 1000, closes))
      else if (style === 1) copies.push(this.make('abort-storm', 'associate, then A-ABORT', [...this.associated(this.ae.garbage), { send: encodeAbort(0, this.prng.int(7)) }], 1000, both(expected, (r) => (r.closedByBox ? undefined : 'still open after the A-ABORT'))))
      else if (style === 2) copies.push(this.make('abort-storm', 'connect and vanish', [], 0, fine))
      else copies.push(this.make('abort-storm', 'send the A-ASSOCIATE-RQ and vanish', [{ send: associateRQ(this.ae.garbage) }], 0, fine))
    }
    const burst = this.make('abort-storm', `${n} connections aborting at once`, [], 0, fine) as HostileBurst
    burst.copies = copies
    return burst
  }

  private malformedRq(): HostileCase {
    const g = this.ae.garbage
    const rq = associateRQ(g)
    const withBody = (body: Buffer) => Buffer.concat([header(A.AssociateRQ, body.length), body])
    const item = (type: number, value: Buffer) => {
      const h = Buffer.alloc(4)
      h.writeUInt8(type, 0)
      h.writeUInt16BE(value.length, 2)
      return Buffer.concat([h, value])
    }
    // The first item after the 68 fixed bytes is the application context; presentation contexts follow.
    const firstItem = 6 + 68
    const appLength = rq.readUInt16BE(firstItem + 2)
    const pcAt = firstItem + 4 + appLength
    const fixed = (calledAE: string, callingAE = 'HOSTILE', version = 1) => {
      const f = Buffer.alloc(68)
      f.writeUInt16BE(version, 0)
      f.write(calledAE.padEnd(16, ' ').slice(0, 16), 4, 'latin1')
      f.write(callingAE.padEnd(16, ' ').slice(0, 16), 20, 'latin1')
      return f
    }
    const items = rq.subarray(firstItem)
    const appContext = items.subarray(0, 4 + appLength)
    const rest = items.subarray(4 + appLength)
    const userInfo = item(0x50, Buffer.concat([item(0x51, Buffer.from([0, 0, 0x40, 0])), item(0x52, Buffer.from('1.2.3', 'latin1'))]))
    const pc = (id: number, abstract: string, ts: string) => item(0x20, Buffer.concat([Buffer.from([id, 0, 0, 0]), item(0x30, Buffer.from(abstract, 'latin1')), item(0x40, Buffer.from(ts, 'latin1'))]))
    const variants: [string, () => Buffer, (r: CaseResult) => string | undefined][] = [
      ['an item length past the end', () => {
        const b = Buffer.from(rq)
        b.writeUInt16BE(0xffff, pcAt + 2)
        return b
      }, aborts],
      ['an item length short by a few bytes', () => {
        const b = Buffer.from(rq)
        b.writeUInt16BE(b.readUInt16BE(pcAt + 2) - this.prng.between(1, 5), pcAt + 2)
        return b
      }, reacts],
      ['a presentation context item of 2 bytes', () => withBody(Buffer.concat([fixed(g), appContext, item(0x20, Buffer.from([1, 0])), userInfo])), aborts],
      ['no application context', () => withBody(Buffer.concat([fixed(g), rest])), rejects],
      ['a foreign application context', () => withBody(Buffer.concat([fixed(g), item(0x10, Buffer.from('1.2.3.4.5', 'latin1')), rest])), rejects],
      ['protocol version 0', () => withBody(Buffer.concat([fixed(g, 'HOSTILE', 0), items])), rejects],
      ['protocol version 2', () => withBody(Buffer.concat([fixed(g, 'HOSTILE', 2), items])), rejects],
      ['no presentation context', () => withBody(Buffer.concat([fixed(g), appContext, userInfo])), reacts],
      ['500 presentation contexts', () => withBody(Buffer.concat([fixed(g), appContext, ...Array.from({ length: 500 }, (_, i) => pc((2 * i + 1) & 0xff, i % 2 ? VERIFICATION : CT_IMAGE_STORAGE, i % 3 ? IMPLICIT_LE : '1.2.3.999')), userInfo])), reacts],
      ['a called AE title of control characters', () => withBody(Buffer.concat([fixed('\u0001\u0002\r\n\u0000\u001b[31m'), items])), rejects],
      ['an all-spaces called AE title', () => withBody(Buffer.concat([fixed(''), items])), rejects],
      ['a calling AE title with CR/LF', () => withBody(Buffer.concat([fixed(g, 'EVIL\r\nINJECTED'), items])), reacts],
      ['a maximum PDU length of 0xFFFFFFFF', () => withBody(Buffer.concat([fixed(g), appContext, pc(1, CT_IMAGE_STORAGE, EXPLICIT_LE), item(0x50, item(0x51, Buffer.from([0xff, 0xff, 0xff, 0xff])))])), reacts],
      ['a user information item of sub-items running past it', () => withBody(Buffer.concat([fixed(g), appContext, pc(1, CT_IMAGE_STORAGE, EXPLICIT_LE), item(0x50, Buffer.from([0x51, 0, 0x10, 0, 0, 0]))])), aborts],
      ['a presentation context whose sub-item runs past it', () => withBody(Buffer.concat([fixed(g), appContext, item(0x20, Buffer.from([1, 0, 0, 0, 0x30, 0, 0x7f, 0xff, 0x31])), userInfo])), aborts],
      ['unknown items', () => withBody(Buffer.concat([fixed(g), appContext, item(0x99, this.prng.bytes(40)), item(0x00, Buffer.alloc(0)), rest])), reacts],
      ['duplicate presentation context ids', () => withBody(Buffer.concat([fixed(g), appContext, pc(1, CT_IMAGE_STORAGE, EXPLICIT_LE), pc(1, VERIFICATION, IMPLICIT_LE), userInfo])), reacts],
      ['a body of 40 bytes', () => withBody(Buffer.alloc(40, 0x20)), aborts],
      ['the largest association PDU (64 KiB of unknown items)', () => {
        const filler = Array.from({ length: 16 }, () => item(0x77, Buffer.alloc(4000, 0x41)))
        const body = Buffer.concat([fixed(g), appContext, pc(1, CT_IMAGE_STORAGE, EXPLICIT_LE), ...filler])
        return withBody(Buffer.concat([body, item(0x78, Buffer.alloc(65536 - body.length - 4, 0x42))]))
      }, reacts],
      ['an association PDU one byte over 64 KiB', () => Buffer.concat([header(A.AssociateRQ, 65537), Buffer.alloc(100)]), aborts],
      ['an empty A-ASSOCIATE-RQ', () => header(A.AssociateRQ, 0), aborts],
    ]
    const [what, build, check] = this.prng.pick(variants)
    return this.make('malformed-rq', what, [{ send: build() }], 2000, check)
  }

  private garbageAfterAssociation(): HostileCase {
    const g = this.ae.garbage
    const uid = this.uid()
    const badPdv = (pdvLength: number) => Buffer.concat([header(A.PData, 12), Buffer.from([pdvLength >>> 24, (pdvLength >>> 16) & 0xff, (pdvLength >>> 8) & 0xff, pdvLength & 0xff, 1, 3]), Buffer.alloc(6)])
    const command = (field: number, hasDataset: boolean) => {
      const c = cStoreRequest(1, CT_IMAGE_STORAGE, uid)
      // Command Field and Command Data Set Type sit at fixed places in our encoding: rewrite them.
      const at = c.indexOf(Buffer.from([0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00]))
      c.writeUInt16LE(field, at + 8)
      const ds = c.indexOf(Buffer.from([0x00, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x00]))
      c.writeUInt16LE(hasDataset ? 0x0000 : 0x0101, ds + 8)
      return pdata(1, PDV_COMMAND | PDV_LAST, c)
    }
    const after = (what: string, steps: Step[], check: (r: CaseResult) => string | undefined, linger = 2000) =>
      this.make('garbage-after-association', what, [...this.associated(g), ...steps], linger, both(expected, check))
    const variants: (() => HostileCase)[] = [
      () => after('a PDV longer than its P-DATA-TF', [{ send: badPdv(1000) }], aborts),
      () => after('a PDV of length 1', [{ send: badPdv(1) }], aborts),
      () => after('a command set of random bytes', [{ send: pdata(3, PDV_COMMAND | PDV_LAST, this.prng.bytes(this.prng.between(1, 200))) }], reacts),
      () => after('a command set over 64 KiB in fragments', [...Array.from({ length: 8 }, () => ({ send: pdata(3, PDV_COMMAND, Buffer.alloc(9000)) }))], aborts),
      () => after('a C-STORE of an invalid SOP Instance UID', [{ send: storeCommandPdu('1.2.abc.4') }, { send: datasetPdus(tinyCtDataset(uid, '1.2.3')) }, { expect: [A.PData] }, { send: RELEASE_RQ }, { expect: [A.ReleaseRP] }], failureStatus([0xc000])),
      () => after('a C-STORE without a data set', [{ send: command(0x0001, false) }, { expect: [A.PData] }], failureStatus([0xc000])),
      () => after('a C-FIND with a data set (not performed)', [{ send: command(0x0020, true) }, { send: datasetPdus(Buffer.alloc(30)) }, { expect: [A.PData] }], failureStatus([0x0211])),
      () => after('an N-ACTION without a data set (not performed)', [{ send: command(0x0130, false) }, { expect: [A.PData] }], failureStatus([0x0211])),
      () => after('a data set in 2000 one-byte PDVs', [{ send: storeCommandPdu('1.2.abc') }, { send: Buffer.concat(Array.from({ length: 2000 }, (_, i) => pdata(1, i === 1999 ? PDV_LAST : 0, Buffer.from([i & 0xff])))) }, { expect: [A.PData] }], failureStatus([0xc000])),
      () => after('an instance over the size limit', [{ send: storeCommandPdu(uid) }, { send: datasetPdus(Buffer.alloc(1100 * 1024), 16000) }], aborts),
    ]
    // The instance over the limit sends a megabyte: rarely.
    return (this.prng.chance(0.03) ? variants[9]! : variants[this.prng.int(9)]!)()
  }

  private malformedDataset(): HostileCase {
    const uid = this.uid()
    const study = this.uid()
    const good = tinyCtDataset(uid, study)
    const variants: [string, Buffer, number[]][] = [
      ['truncated inside the pixel data', good.subarray(0, good.length - this.prng.between(1, 63)), [0xc000]],
      ['another SOP Instance UID in the data set', tinyCtDataset(uid, study, { sopInDataset: this.uid() }), [0xa900]],
      ['no Study Instance UID', tinyCtDataset(uid, study, { omitStudy: true }), [0xc000]],
      ['an element claiming more bytes than there are', (() => {
        const b = Buffer.from(good)
        b.writeUInt16LE(0xfff0, 6)
        return b
      })(), [0xc000]],
      ['an invalid VR', (() => {
        const b = Buffer.from(good)
        b.write('\u0001\u0002', 4, 'latin1')
        return b
      })(), [0xc000]],
      ['an empty data set', Buffer.alloc(0), [0xc000]],
      ['an undefined-length sequence never closed', Buffer.concat([good.subarray(0, good.length - 76), Buffer.from('0800151153510000ffffffff', 'hex'), Buffer.from('feff00e0ffffffff', 'hex')]), [0xc000]],
      ['a stray item tag at the top level', Buffer.concat([good, Buffer.from('feff00e000000000', 'hex')]), [0xc000]],
    ]
    const [what, dataset, statuses] = this.prng.pick(variants)
    const steps: Step[] = [
      ...this.associated(this.ae.garbage),
      { send: storeCommandPdu(uid) },
      { send: datasetPdus(dataset, this.prng.pick([16, 100, 8192])) },
      { expect: [A.PData] },
      { send: RELEASE_RQ },
      { expect: [A.ReleaseRP] },
    ]
    return this.make('malformed-dataset', `a C-STORE whose data set has ${what}`, steps, 0, both(expected, failureStatus(statuses)))
  }

  /** A deflated data set of under 1 MiB that inflates to 1 GiB (within the instance size limit as sent). Not among cases(). */
  deflateBomb(): HostileCase {
    const uid = this.uid()
    bomb ??= deflateRawSync(Buffer.concat([tinyCtDataset(uid, '1.2.3').subarray(0, 100), Buffer.alloc(1024 ** 3)]), { level: 9 })
    const steps: Step[] = [
      { send: associateRQ(this.ae.garbage, 'HOSTILE', [{ id: 1, abstractSyntax: CT_IMAGE_STORAGE, transferSyntaxes: [DEFLATED_LE] }]) },
      { expect: [A.AssociateAC] },
      { send: storeCommandPdu(uid) },
      { send: datasetPdus(bomb, 16000) },
      { expect: [A.PData], timeoutMs: 20_000 },
      { send: RELEASE_RQ },
      { expect: [A.ReleaseRP] },
    ]
    return this.make('deflate-bomb', `a C-STORE of ${bomb.length} deflated bytes that inflate to 1 GiB`, steps, 0, both(expected, failureStatus([0xc000])))
  }

  private mutated(): HostileCase {
    const uid = this.uid()
    const base = Buffer.concat([associateRQ(this.ae.mutant), echoPdu(), storeCommandPdu(uid), datasetPdus(tinyCtDataset(uid, this.uid()), this.prng.pick([40, 8192])), RELEASE_RQ])
    const bytes = mutate(base, { prng: this.prng, corpus: [], maxLength: 8192, dictionary: PDU_DICTIONARY, lengthFields: (input) => pduStreamFields(input) })
    const hold = this.prng.between(50, 300)
    return this.make('mutated', `a mutated conversation of ${bytes.length} bytes`, [{ send: bytes }], hold, fine, undefined, hold)
  }

  private controlStore(): HostileCase {
    const uid = this.uid()
    const study = `2.25.4242.${this.prng.int(3)}`
    const steps: Step[] = [...this.associated(this.ae.hold), { send: storeCommandPdu(uid) }, { send: datasetPdus(tinyCtDataset(uid, study), this.prng.pick([50, 8192])) }, { expect: [A.PData] }, { send: RELEASE_RQ }, { expect: [A.ReleaseRP] }]
    return this.make('control-store', `a valid C-STORE of ${uid}`, steps, 0, both(expected, successStatus), [uid])
  }

  private controlEcho(): HostileCase {
    const steps: Step[] = [...this.associated(this.ae.own), { send: echoPdu() }, { expect: [A.PData] }, { send: RELEASE_RQ }, { expect: [A.ReleaseRP] }]
    return this.make('control-echo', 'a valid C-ECHO', steps, 0, both(expected, successStatus))
  }
}
