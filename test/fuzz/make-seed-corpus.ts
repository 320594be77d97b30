/**
 * @module make-seed-corpus
 * Writes the committed seed corpus (test/fuzz/corpus/<target>/): real DICOM conversations and
 * files, small. Run it again only to change the seeds:
 *
 *   node --import tsx test/fuzz/make-seed-corpus.ts
 *
 * Sources: dcmtk's echoscu and storescu talking to dcmtk's storescp through a recording proxy
 * (both directions kept), the box's own PDU codec and DIMSE encoder, pydicom's small test files
 * and a stripped copy of its MR_small.dcm converted by dcmconv into every encoding the box reads,
 * and a hand-built data set with undefined-length sequences and encapsulated pixel data.
 */
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect, createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deflateRawSync } from 'node:zlib'
import { execa } from 'execa'
import { cEchoRequest, cStoreRequest, responseTo, decodeRequest } from '../../supervisor/dicom/pdu/dimse-command.js'
import {
  encodeAbort,
  encodeAssociateAC,
  encodeAssociateRJ,
  encodeAssociateRQ,
  pDataHeader,
  PDV_COMMAND,
  PDV_LAST,
  RELEASE_RP,
  RELEASE_RQ,
} from '../../supervisor/dicom/pdu/pdu-codec.js'
import { PduReader } from '../../supervisor/dicom/pdu/pdu-reader.js'
import { decodePdvs } from '../../supervisor/dicom/pdu/pdu-codec.js'
import { buildFileMeta } from '../../supervisor/dicom/part10-file.js'
import { explicitLeElement, textValue, uidValue } from '../helpers/explicit-le-elements.js'
import { freePort } from '../helpers/ports.js'
import { waitFor } from '../helpers/wait-for.js'
import { CORPUS_ROOT, writeCorpusEntry } from './corpus-files.js'

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files'
const MR = '1.2.840.10008.5.1.4.1.1.4'
const CT = '1.2.840.10008.5.1.4.1.1.2'
const EXPLICIT_LE = '1.2.840.10008.1.2.1'
const IMPLICIT_LE = '1.2.840.10008.1.2'

const work = mkdtempSync(join(tmpdir(), 'magickbox-seeds-'))
const seed = (target: string, name: string, bytes: Buffer) => writeCorpusEntry(join(CORPUS_ROOT, target), bytes, name)
const pdata = (control: number, value: Buffer, contextId = 1) => Buffer.concat([pDataHeader(contextId, control, value.length), value])

// A copy of MR_small.dcm without its pixel data (1.5 KB), and its conversions.
function mrFiles(): Record<string, string> {
  const base = join(work, 'mr.dcm')
  copyFileSync(join(PYDICOM, 'MR_small.dcm'), base)
  execFileSync('dcmodify', ['-nb', '-q', '-ea', '(7fe0,0010)', base])
  const out: Record<string, string> = { 'explicit-le': base }
  for (const [name, option] of [['implicit-le', '+ti'], ['explicit-be', '+tb'], ['deflated', '+td']] as const) {
    out[name] = join(work, `mr-${name}.dcm`)
    execFileSync('dcmconv', [option, base, out[name]!])
  }
  return out
}

/** Both directions of one dcmtk client's conversation with storescp. */
async function recordConversation(storescpPort: number, client: (port: number) => string[]): Promise<{ toServer: Buffer; toClient: Buffer }> {
  const toServer: Buffer[] = []
  const toClient: Buffer[] = []
  let closed!: () => void
  const done = new Promise<void>((resolve) => (closed = resolve))
  const proxy = createServer((inbound: Socket) => {
    const outbound = connect({ host: '127.0.0.1', port: storescpPort })
    inbound.on('data', (d: Buffer) => (toServer.push(Buffer.from(d)), outbound.write(d)))
    outbound.on('data', (d: Buffer) => (toClient.push(Buffer.from(d)), inbound.write(d)))
    inbound.on('close', () => (outbound.end(), closed()))
    outbound.on('close', () => inbound.end())
  })
  proxy.listen(0, '127.0.0.1')
  await once(proxy, 'listening')
  const port = (proxy.address() as { port: number }).port
  const [command, ...args] = client(port)
  // Asynchronously: the proxy runs in this process.
  const { exitCode } = await execa(command!, args, { reject: false })
  if (exitCode !== 0) throw new Error(`${command} failed (exit ${exitCode})`)
  await done
  proxy.close()
  return { toServer: Buffer.concat(toServer), toClient: Buffer.concat(toClient) }
}

// The command sets of the P-DATA-TF PDUs in a recorded stream.
function commandSets(stream: Buffer): Buffer[] {
  const out: Buffer[] = []
  let parts: Buffer[] = []
  for (const pdu of new PduReader().push(stream)) {
    if (pdu.type !== 4) continue
    for (const pdv of decodePdvs(pdu.body)) {
      if (!(pdv.control & PDV_COMMAND)) continue
      parts.push(pdv.data)
      if (pdv.control & PDV_LAST) {
        out.push(Buffer.concat(parts))
        parts = []
      }
    }
  }
  return out
}

// An explicit-LE data set with an undefined-length sequence (two items, one nested sequence) and encapsulated pixel data.
function sequenceDataset(): Buffer {
  const el = explicitLeElement
  const undefinedLength = (group: number, element: number, vr: string) => {
    const head = Buffer.alloc(12)
    head.writeUInt16LE(group, 0)
    head.writeUInt16LE(element, 2)
    head.write(vr, 4, 'latin1')
    head.writeUInt32LE(0xffffffff, 8)
    return head
  }
  const tag = (element: number, length: number) => {
    const b = Buffer.alloc(8)
    b.writeUInt16LE(0xfffe, 0)
    b.writeUInt16LE(element, 2)
    b.writeUInt32LE(length >>> 0, 4)
    return b
  }
  const text = textValue
  const uid = uidValue
  return Buffer.concat([
    el(0x0008, 0x0005, 'CS', text('ISO_IR 192')),
    el(0x0008, 0x0016, 'UI', uid(CT)),
    el(0x0008, 0x0018, 'UI', uid('1.2.3.4.5.6.7')),
    el(0x0008, 0x0060, 'CS', text('CT')),
    undefinedLength(0x0008, 0x1115, 'SQ'),
    tag(0xe000, 0xffffffff),
    el(0x0008, 0x1150, 'UI', uid(CT)),
    undefinedLength(0x0008, 0x1199, 'SQ'),
    tag(0xe000, 0xffffffff),
    el(0x0008, 0x1155, 'UI', uid('1.2.3')),
    tag(0xe00d, 0),
    tag(0xe0dd, 0),
    tag(0xe00d, 0),
    tag(0xe000, 10),
    el(0x0008, 0x0100, 'SH', text('X')),
    tag(0xe0dd, 0),
    el(0x0010, 0x0010, 'PN', Buffer.from('M\u00fcller^J\u00fcrgen', 'utf8')),
    el(0x0010, 0x0020, 'LO', text('ID1')),
    el(0x0020, 0x000d, 'UI', uid('1.2.3.4')),
    el(0x0020, 0x000e, 'UI', uid('1.2.3.4.1')),
    undefinedLength(0x7fe0, 0x0010, 'OB'),
    tag(0xe000, 0),
    tag(0xe000, 4),
    Buffer.from([0xff, 0xd8, 0xff, 0xd9]),
    tag(0xe0dd, 0),
  ])
}

rmSync(CORPUS_ROOT, { recursive: true, force: true })
const mr = mrFiles()

// dcmtk's conversations, recorded.
const storescpPort = await freePort()
const storescp = spawn('storescp', ['+xa', '-od', work, String(storescpPort)], { stdio: 'ignore' })
await waitFor('storescp', async () => {
  try {
    execFileSync('echoscu', ['127.0.0.1', String(storescpPort)], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}, 10_000)
const echo = await recordConversation(storescpPort, (port) => ['echoscu', '-aet', 'FUZZSCU', '-aec', 'FUZZSTORE', '127.0.0.1', String(port)])
const echoOwn = await recordConversation(storescpPort, (port) => ['echoscu', '-aet', 'FUZZSCU', '-aec', 'MAGICKBOX', '127.0.0.1', String(port)])
const store = await recordConversation(storescpPort, (port) => ['storescu', '-R', '-aet', 'FUZZSCU', '-aec', 'FUZZSTORE', '127.0.0.1', String(port), mr['explicit-le']!])
const storeDeflated = await recordConversation(storescpPort, (port) => ['storescu', '-R', '-xd', '-aet', 'FUZZSCU', '-aec', 'FUZZSTORE', '127.0.0.1', String(port), mr['explicit-le']!])
storescp.kill()

for (const target of ['pdu-stream', 'lean-scp']) {
  seed(target, 'dcmtk-echoscu-to-stream.bin', echo.toServer)
  seed(target, 'dcmtk-echoscu-to-box.bin', echoOwn.toServer)
  seed(target, 'dcmtk-storescu-mr.bin', store.toServer)
  seed(target, 'dcmtk-storescu-mr-deflated.bin', storeDeflated.toServer)
}
seed('pdu-reader', 'dcmtk-storescp-echo-answers.bin', echo.toClient)
seed('pdu-reader', 'dcmtk-storescp-store-answers.bin', store.toClient)
const firstPdu = (stream: Buffer) => stream.subarray(0, 6 + stream.readUInt32BE(2))
seed('associate-rq', 'dcmtk-echoscu.bin', firstPdu(echo.toServer))
seed('associate-rq', 'dcmtk-storescu-mr.bin', firstPdu(store.toServer))
seed('associate-rq', 'dcmtk-storescu-mr-deflated.bin', firstPdu(storeDeflated.toServer))
const dcmtkCommands = [...commandSets(echo.toServer), ...commandSets(store.toServer), ...commandSets(store.toClient)]
dcmtkCommands.forEach((c, i) => seed('dimse-command', `dcmtk-command-${i + 1}.bin`, c))

// The box's own codec.
const rq = encodeAssociateRQ({
  calledAE: 'FUZZSTORE',
  callingAE: 'MAGICKBOX',
  contexts: [
    { id: 1, abstractSyntax: CT, transferSyntaxes: [EXPLICIT_LE, IMPLICIT_LE] },
    { id: 3, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: [IMPLICIT_LE] },
    { id: 5, abstractSyntax: '1.2.3.4.5', transferSyntaxes: ['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.1.99'] },
  ],
  maxPduLength: 16384,
  implementationClassUid: '1.2.826.0.1.3680043.10.1',
  implementationVersionName: 'MAGICKBOX',
})
seed('associate-rq', 'codec-three-contexts.bin', rq)
const store1 = cStoreRequest(7, CT, '1.2.3.4.5.6.7')
const echo1 = cEchoRequest(9)
seed('dimse-command', 'codec-c-store-rq.bin', store1)
seed('dimse-command', 'codec-c-echo-rq.bin', echo1)
seed('dimse-command', 'codec-c-store-rsp-failure.bin', responseTo(decodeRequest(store1), 0xc000, 'malformed data set'))
const dataset = sequenceDataset()
seed('pdu-stream', 'codec-rq-echo-store-release.bin', Buffer.concat([rq, pdata(PDV_COMMAND | PDV_LAST, echo1, 3), pdata(PDV_COMMAND | PDV_LAST, store1), pdata(0, dataset.subarray(0, 100)), pdata(PDV_LAST, dataset.subarray(100)), RELEASE_RQ]))
seed('pdu-stream', 'codec-abort.bin', encodeAbort(0, 0))
seed('lean-scp', 'codec-rq-echo-store-release.bin', Buffer.concat([rq, pdata(PDV_COMMAND | PDV_LAST, echo1, 3), pdata(PDV_COMMAND | PDV_LAST, store1), pdata(PDV_LAST, dataset), RELEASE_RQ]))
seed('lean-scp', 'codec-pdata-before-association.bin', pdata(PDV_COMMAND | PDV_LAST, echo1))
const ac = encodeAssociateAC({ calledAE: 'FUZZSTORE', callingAE: 'MAGICKBOX' }, [{ id: 1, result: 0, transferSyntax: EXPLICIT_LE }, { id: 3, result: 3, transferSyntax: IMPLICIT_LE }], {
  maxPduLength: 16384,
  implementationClassUid: '1.2.826.0.1.3680043.10.1',
  implementationVersionName: 'MAGICKBOX',
})
const storeRsp = responseTo(decodeRequest(store1), 0)
seed('pdu-reader', 'codec-ac-response-release.bin', Buffer.concat([ac, pdata(PDV_COMMAND | PDV_LAST, storeRsp), RELEASE_RP]))
seed('pdu-reader', 'codec-rj.bin', encodeAssociateRJ(1, 1, 7))
seed('pdu-reader', 'codec-abort.bin', encodeAbort(2, 6))

// The meta header writer's inputs: transfer syntax choice, calling AE field, C-STORE-RQ.
const ae = (t: string) => Buffer.from(t.padEnd(16, ' '), 'latin1')
seed('part10-meta', 'codec-c-store-rq.bin', Buffer.concat([Buffer.from([1]), ae('MAGICKBOX'), store1]))
seed('part10-meta', 'dcmtk-c-store-rq.bin', Buffer.concat([Buffer.from([0]), ae(' STORESCU'), commandSets(store.toServer)[0]!]))
seed('part10-meta', 'codec-c-store-rq-big-endian-odd-ae.bin', Buffer.concat([Buffer.from([2]), ae('A\u00e9\tB'), cStoreRequest(1, MR, '1.2.3')]))

// Files: the stripped MR in every encoding, pydicom's smallest, and the sequence data set.
seed('dataset-header', 'dcmtk-mr-explicit-le.dcm', readFileSync(mr['explicit-le']!))
seed('dataset-header', 'dcmtk-mr-implicit-le.dcm', readFileSync(mr['implicit-le']!))
seed('dataset-header', 'dcmtk-mr-explicit-be.dcm', readFileSync(mr['explicit-be']!))
seed('dataset-header', 'dcmtk-mr-deflated.dcm', readFileSync(mr['deflated']!))
seed('dataset-header', 'pydicom-un-sequence.dcm', readFileSync(join(PYDICOM, 'UN_sequence.dcm')))
seed('dataset-header', 'pydicom-empty-charset-implicit.dcm', readFileSync(join(PYDICOM, 'empty_charset_LEI.dcm')))
seed('dataset-header', 'codec-sequences-encapsulated.dcm', Buffer.concat([buildFileMeta({ sopClassUid: CT, sopInstanceUid: '1.2.3.4.5.6.7', transferSyntaxUid: '1.2.840.10008.1.2.4.50', sourceAE: 'X' }), dataset]))
// Bare data sets: the first byte chooses the encoding (0 implicit, 1 explicit LE, 2 explicit BE, 3 deflated).
seed('dataset-header', 'bare-explicit-le.bin', Buffer.concat([Buffer.from([1]), dataset]))
seed('dataset-header', 'bare-deflated.bin', Buffer.concat([Buffer.from([3]), deflateRawSync(dataset)]))

rmSync(work, { recursive: true, force: true })
const sizes = execFileSync('du', ['-sb', CORPUS_ROOT]).toString().trim()
console.log(`seed corpus written: ${sizes}`)
