/**
 * @module send-instances
 * One attempt to deliver files to one destination: associations of at most 128 presentation
 * contexts (one per SOP class and the file's own transfer syntax: nothing is re-encoded), each
 * file's data set streamed as stored, each acknowledgement written to the ledger as it arrives.
 */
import { open } from 'node:fs/promises'
import { AssociationError, ScuAssociation, type ContextRequest, type ScuTarget } from '../dicom/scu-association.js'
import { isStoredStatus, statusText } from '../dicom/pdu/dimse-command.js'
import { transferSyntaxName } from '../dicom/transfer-syntax.js'
import type { DeliveryLedger, FailureLine } from './delivery-ledger.js'
import type { RoutedFile } from './routed-files.js'

export interface AttemptResult {
  acknowledged: number
  failures: FailureLine[]
  /** The association problem that stopped the attempt, if any. */
  stoppedBy: string | undefined
}

const contextKey = (f: RoutedFile) => `${f.sopClassUid}|${f.transferSyntaxUid}`
/** Data sets up to this size are read ahead while the previous instance waits for its response. */
const READ_AHEAD_BYTES = 8 * 1024 * 1024

// The data set of a file, read into memory (small files only; larger ones stream from disk).
async function readAhead(file: RoutedFile): Promise<Buffer | undefined> {
  const length = file.fileSize - file.datasetOffset
  if (length > READ_AHEAD_BYTES) return undefined
  const handle = await open(file.path, 'r')
  try {
    const buffer = Buffer.allocUnsafe(length)
    const { bytesRead } = await handle.read(buffer, 0, length, file.datasetOffset)
    return bytesRead === length ? buffer : undefined
  } finally {
    await handle.close()
  }
}

// Split files into runs that need at most 128 distinct presentation contexts.
export function batchByContexts(files: RoutedFile[], limit = 128): RoutedFile[][] {
  const batches: RoutedFile[][] = []
  let current: RoutedFile[] = []
  let keys = new Set<string>()
  for (const file of files) {
    const key = contextKey(file)
    if (!keys.has(key) && keys.size === limit) {
      batches.push(current)
      current = []
      keys = new Set()
    }
    keys.add(key)
    current.push(file)
  }
  if (current.length) batches.push(current)
  return batches
}

export async function sendInstances(files: RoutedFile[], target: ScuTarget, ledger: DeliveryLedger): Promise<AttemptResult> {
  const result: AttemptResult = { acknowledged: 0, failures: [], stoppedBy: undefined }
  const failAll = (rest: RoutedFile[], why: string, permanent: boolean) => {
    for (const f of rest) result.failures.push({ name: f.name, sop: f.sopInstanceUid, why, permanent })
  }
  await ledger.prepare()
  const batches = batchByContexts(files)
  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b]!
    const contexts: ContextRequest[] = [...new Set(batch.map(contextKey))].map((key) => {
      const [abstractSyntax, transferSyntax] = key.split('|') as [string, string]
      return { abstractSyntax, transferSyntax }
    })
    let association: ScuAssociation
    try {
      association = await ScuAssociation.open(target, contexts)
    } catch (error) {
      const message = (error as Error).message
      result.stoppedBy = message
      failAll(batches.slice(b).flat(), message, error instanceof AssociationError && error.permanent)
      return result
    }
    let ahead: Promise<Buffer | undefined> | undefined = readAhead(batch[0]!).catch(() => undefined)
    for (let i = 0; i < batch.length; i++) {
      const file = batch[i]!
      const dataset = await ahead
      // Read the next instance while this one travels and waits for its response.
      ahead = i + 1 < batch.length ? readAhead(batch[i + 1]!).catch(() => undefined) : undefined
      const contextId = association.contextFor(file.sopClassUid, file.transferSyntaxUid)
      if (contextId === undefined) {
        result.failures.push({
          name: file.name,
          sop: file.sopInstanceUid,
          why: `the destination accepted none of the file's transfer syntaxes (${transferSyntaxName(file.transferSyntaxUid)} for SOP class ${file.sopClassUid}); the box never re-encodes`,
          permanent: true,
        })
        continue
      }
      try {
        const response = await association.store(file, contextId, dataset)
        if (isStoredStatus(response.status)) {
          result.acknowledged++
          await ledger.recordAck({ name: file.name, sop: file.sopInstanceUid, status: response.status, at: new Date().toISOString() })
        } else {
          result.failures.push({
            name: file.name,
            sop: file.sopInstanceUid,
            why: `the destination answered status ${statusText(response.status)}${response.errorComment ? ` (${response.errorComment})` : ''}`,
            permanent: false,
          })
        }
      } catch (error) {
        const message = (error as Error).message
        result.stoppedBy = message
        failAll(batch.slice(i), message, false)
        failAll(batches.slice(b + 1).flat(), message, false)
        association.abort()
        return result
      }
    }
    await association.release()
  }
  return result
}
