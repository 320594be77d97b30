/**
 * batchByContexts: how a delivery's files are split into associations of at most 128 presentation
 * contexts, one per (SOP class, transfer syntax) pair.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { RoutedFile } from '../../../supervisor/sender/routed-files.js'
import { batchByContexts } from '../../../supervisor/sender/send-instances.js'

const EXPLICIT_LE = '1.2.840.10008.1.2.1'
const IMPLICIT_LE = '1.2.840.10008.1.2'

let serial = 0
function file(sopClassUid: string, transferSyntaxUid = EXPLICIT_LE): RoutedFile {
  serial++
  return {
    sopClassUid,
    sopInstanceUid: `1.2.3.${serial}`,
    transferSyntaxUid,
    sourceAE: 'SCANNER',
    datasetOffset: 200,
    fileSize: 1000,
    path: `/job/output/f${serial}.dcm`,
    name: `f${serial}.dcm`,
  }
}

const pairs = (batch: RoutedFile[]) => new Set(batch.map((f) => `${f.sopClassUid}|${f.transferSyntaxUid}`))

// Files cycling through `classes` SOP classes, each in two transfer syntaxes.
function mixed(count: number, classes: number): RoutedFile[] {
  return Array.from({ length: count }, (_, i) => file(`1.2.840.10008.5.1.4.1.1.${i % classes}`, i % 3 === 0 ? IMPLICIT_LE : EXPLICIT_LE))
}

describe('batchByContexts', () => {
  it('returns no batches for no files', () => {
    assert.deepEqual(batchByContexts([]), [])
  })

  it('keeps files of few SOP classes in one batch, in order', () => {
    const files = [file('1.1'), file('1.2'), file('1.1'), file('1.2', IMPLICIT_LE)]
    assert.deepEqual(batchByContexts(files), [files])
  })

  it('counts a SOP class in two transfer syntaxes as two contexts', () => {
    const files = [file('1.1', EXPLICIT_LE), file('1.1', IMPLICIT_LE), file('1.1', EXPLICIT_LE)]
    const batches = batchByContexts(files, 1)
    assert.deepEqual(batches.map((b) => b.map((f) => f.transferSyntaxUid)), [[EXPLICIT_LE], [IMPLICIT_LE], [EXPLICIT_LE]])
  })

  it('puts exactly 128 distinct pairs in one batch and starts a new one for the 129th', () => {
    const files = Array.from({ length: 129 }, (_, i) => file(`1.2.840.10008.5.1.4.1.1.${i}`))
    const batches = batchByContexts(files)
    assert.deepEqual(batches.map((b) => b.length), [128, 1])
    assert.equal(batches[1]![0], files[128])
  })

  it('keeps a repeated pair in the current batch even when it is full', () => {
    const files = Array.from({ length: 128 }, (_, i) => file(`1.9.${i}`))
    files.push(file('1.9.0'), file('1.9.127'))
    assert.deepEqual(batchByContexts(files).map((b) => b.length), [130])
  })

  it('never needs more than 128 pairs per batch, keeps order and places every file exactly once', () => {
    const files = mixed(2000, 300)
    const batches = batchByContexts(files)
    assert.ok(batches.length > 1)
    for (const batch of batches) {
      assert.ok(batch.length > 0)
      assert.ok(pairs(batch).size <= 128, `a batch needs ${pairs(batch).size} contexts`)
    }
    assert.deepEqual(batches.flat(), files, 'concatenated batches are the input, in order')
    assert.equal(new Set(batches.flat()).size, files.length)
  })

  it('fills each batch to the limit before starting the next', () => {
    const batches = batchByContexts(mixed(2000, 300))
    for (const batch of batches.slice(0, -1)) assert.equal(pairs(batch).size, 128)
  })

  it('honours a smaller limit', () => {
    const files = mixed(100, 7)
    const batches = batchByContexts(files, 5)
    for (const batch of batches) assert.ok(pairs(batch).size <= 5)
    assert.deepEqual(batches.flat(), files)
  })
})
