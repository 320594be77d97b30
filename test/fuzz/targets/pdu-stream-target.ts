/**
 * @module pdu-stream-target
 * Fuzz target: the receiver's zero-copy PDU framing (PduStreamParser) over a byte stream cut
 * into chunks, then what lean-scp does with what it hands on: association PDUs decoded,
 * command PDVs assembled and decoded, responses built. Checked beyond "no crash":
 * - the events keep their promises (a PDV's data adds up to its announced length, never more);
 * - whatever the streaming parser accepts, the buffering PduReader plus decodePdvs reads the
 *   same way (same PDUs, same PDVs, same bytes): the two framings never disagree.
 */
import { decodeRequest, responseTo } from '../../../supervisor/dicom/pdu/dimse-command.js'
import { decodeAbort, decodeAssociateRQ, decodePdvs, PduFormatError, PDV_COMMAND, PDV_LAST } from '../../../supervisor/dicom/pdu/pdu-codec.js'
import { PduReader } from '../../../supervisor/dicom/pdu/pdu-reader.js'
import { PduStreamParser } from '../../../supervisor/dicom/pdu/pdu-stream-parser.js'
import { PduType } from '../../../supervisor/dicom/pdu/pdu-types.js'
import { invariant, tolerant, type FuzzTarget } from '../fuzz-target.js'
import { pduStreamFields } from '../length-fields.js'
import { PDU_DICTIONARY } from './dicom-dictionary.js'
import { inputChunks } from './input-chunks.js'

const MAX_PDU = 16384

type Event = { pdu: number; body: Buffer } | { pdv: number; control: number; data: Buffer }

function describe(e: Event | undefined): string {
  if (!e) return 'nothing'
  return 'pdu' in e ? `PDU ${e.pdu} of ${e.body.length} bytes` : `PDV ctx ${e.pdv} control ${e.control} of ${e.data.length} bytes`
}

function same(a: Event, b: Event): boolean {
  if ('pdu' in a) return 'pdu' in b && a.pdu === b.pdu && a.body.equals(b.body)
  return 'pdv' in b && a.pdv === b.pdv && a.control === b.control && a.data.equals(b.data)
}

export const pduStreamTarget: FuzzTarget = {
  name: 'pdu-stream',
  description: "the receiver's streaming PDU framing (PduStreamParser) and lean-scp's decoding of what it hands on",
  maxLength: 16384,
  dictionary: PDU_DICTIONARY,
  lengthFields: (input) => pduStreamFields(input),
  run(input) {
    const events: Event[] = []
    let open: { pdv: number; control: number; length: number; parts: Buffer[]; got: number } | undefined
    const parser = new PduStreamParser(
      {
        pdu: (type, body) => {
          invariant(type >= PduType.AssociateRQ && type <= PduType.Abort && type !== PduType.PData, `pdu() called with type ${type}`)
          invariant(body.length <= 65536, `an association PDU of ${body.length} bytes was handed on`)
          invariant(!open, 'a PDU was handed on while a PDV was open')
          events.push({ pdu: type, body: Buffer.from(body) })
        },
        pdvStart: (pdv, control, length) => {
          invariant(!open, 'pdvStart() before the previous PDV ended')
          invariant(length <= MAX_PDU, `a PDV of ${length} bytes in PDUs of at most ${MAX_PDU}`)
          open = { pdv, control, length, parts: [], got: 0 }
        },
        pdvData: (slice, end) => {
          invariant(open, 'pdvData() without pdvStart()')
          open.got += slice.length
          open.parts.push(Buffer.from(slice))
          invariant(open.got <= open.length, `PDV data ran to ${open.got} bytes of ${open.length}`)
          if (end) {
            invariant(open.got === open.length, `PDV ended at ${open.got} bytes of ${open.length}`)
            events.push({ pdv: open.pdv, control: open.control, data: Buffer.concat(open.parts) })
            open = undefined
          }
        },
      },
      MAX_PDU,
    )
    let framed = true
    try {
      for (const chunk of inputChunks(input)) parser.push(chunk)
    } catch (error) {
      if (!(error instanceof PduFormatError)) throw error
      framed = false
    }

    // What the streaming parser accepted, the buffering reader reads the same way.
    if (framed) {
      const reader: Event[] = []
      try {
        for (const pdu of new PduReader().push(input)) {
          if (pdu.type !== PduType.PData) reader.push({ pdu: pdu.type, body: pdu.body })
          else for (const pdv of decodePdvs(pdu.body)) reader.push({ pdv: pdv.contextId, control: pdv.control, data: pdv.data })
        }
      } catch (error) {
        invariant(!(error instanceof PduFormatError), () => `the stream parser accepted what PduReader/decodePdvs refuse: ${(error as Error).message}`)
        throw error
      }
      invariant(reader.length <= events.length, () => `PduReader found ${reader.length} events, the stream parser ${events.length}`)
      for (let i = 0; i < reader.length; i++) {
        invariant(same(reader[i]!, events[i]!), () => `event ${i}: PduReader read ${describe(reader[i])}, the stream parser ${describe(events[i])}`)
      }
    }

    // What lean-scp does with the pieces.
    const command: Buffer[] = []
    for (const e of events) {
      if ('pdu' in e) {
        if (e.pdu === PduType.AssociateRQ) tolerant(() => decodeAssociateRQ(e.body))
        else if (e.pdu === PduType.Abort) decodeAbort(e.body)
        continue
      }
      if (!(e.control & PDV_COMMAND)) continue
      command.push(e.data)
      if (!(e.control & PDV_LAST)) continue
      const request = tolerant(() => decodeRequest(Buffer.concat(command)))
      command.length = 0
      if (request) responseTo(request, 0xc000, 'malformed data set: \r\n\u0000 comment')
    }
  },
}
