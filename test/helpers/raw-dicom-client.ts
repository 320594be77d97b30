/**
 * @module raw-dicom-client
 * A deliberately misbehaving DICOM peer for bad-input tests, built from the box's PDU codec over
 * a plain socket: it can stop in the middle of a data set, abort, or send whatever it is told.
 */
import { connect, type Socket } from 'node:net'
import { once } from 'node:events'
import { cStoreRequest } from '../../supervisor/dicom/pdu/dimse-command.js'
import { encodeAbort, encodeAssociateRQ, pDataHeader, PDV_COMMAND, PDV_LAST } from '../../supervisor/dicom/pdu/pdu-codec.js'
import { PduReader, type RawPdu } from '../../supervisor/dicom/pdu/pdu-reader.js'

export class RawDicomClient {
  private readonly reader = new PduReader()
  private readonly received: RawPdu[] = []

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk) => this.received.push(...this.reader.push(chunk)))
    socket.on('error', () => undefined)
  }

  static async connect(port: number, localAddress?: string): Promise<RawDicomClient> {
    const socket = connect({ host: '127.0.0.1', port, localAddress })
    await once(socket, 'connect')
    return new RawDicomClient(socket)
  }

  // Propose one storage context; resolves with the answer PDU type (2 = accepted).
  async associate(calledAE: string, sopClassUid: string, transferSyntaxUid: string, callingAE = 'RAWCLIENT'): Promise<number> {
    this.socket.write(
      encodeAssociateRQ({
        calledAE,
        callingAE,
        contexts: [{ id: 1, abstractSyntax: sopClassUid, transferSyntaxes: [transferSyntaxUid] }],
        maxPduLength: 65536,
        implementationClassUid: '1.2.3.4',
        implementationVersionName: 'RAW',
      }),
    )
    const pdu = await this.nextPdu()
    return pdu.type
  }

  async nextPdu(timeoutMs = 5000): Promise<RawPdu> {
    const deadline = Date.now() + timeoutMs
    while (this.received.length === 0) {
      if (Date.now() > deadline) throw new Error('no PDU from the receiver')
      await new Promise((r) => setTimeout(r, 20))
    }
    return this.received.shift()!
  }

  sendStoreCommand(sopClassUid: string, sopInstanceUid: string): void {
    const command = cStoreRequest(1, sopClassUid, sopInstanceUid)
    this.socket.write(Buffer.concat([pDataHeader(1, PDV_COMMAND | PDV_LAST, command.length), command]))
  }

  sendData(bytes: Buffer, last: boolean): void {
    this.socket.write(Buffer.concat([pDataHeader(1, last ? PDV_LAST : 0, bytes.length), bytes]))
  }

  abort(): void {
    this.socket.write(encodeAbort(0, 0))
  }

  destroy(): void {
    this.socket.destroy()
  }
}
