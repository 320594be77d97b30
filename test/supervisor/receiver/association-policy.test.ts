/**
 * Which associations and presentation contexts the receiver takes: decided from the called AE
 * title, the abstract syntax and the proposed transfer syntaxes alone.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decideAssociation, decideContext, isStorageSopClass, VERIFICATION_SOP_CLASS } from '../../../supervisor/receiver/association-policy.js'
import type { StreamDefinition } from '../../../supervisor/streams/stream-definition.js'

const CT = '1.2.840.10008.5.1.4.1.1.2'
const EXPLICIT_LE = '1.2.840.10008.1.2.1'
const IMPLICIT_LE = '1.2.840.10008.1.2'
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50'
const UNKNOWN_TS = '1.2.3.4.5.6.7'

function definition(aeTitle: string): StreamDefinition {
  return {
    folder: `/streams/${aeTitle.toLowerCase()}`,
    name: aeTitle,
    description: '',
    version: '1',
    aeTitle,
    license: '',
    enabled: true,
    runner: 'process',
    user: 'unprivileged',
    network: false,
    memoryMB: undefined,
    cpus: undefined,
    pids: undefined,
    allowedCallers: undefined,
    image: undefined,
    imageTag: `magickbox/${aeTitle.toLowerCase()}:1`,
    command: ['true'],
    quietSeconds: undefined,
    timeoutMinutes: 60,
    concurrency: 1,
  }
}
const STREAMS = new Map([['SEG', definition('SEG')], ['MAGICKBOX', definition('MAGICKBOX')]])
const asked: string[] = []
const find = (aeTitle: string) => (asked.push(aeTitle), STREAMS.get(aeTitle))

describe('decideAssociation', () => {
  it('takes storage on an enabled stream\'s AE title', () => {
    const decision = decideAssociation('SEG', 'BOX', find)
    assert.deepEqual(decision, { accept: true, role: 'store', stream: STREAMS.get('SEG') })
  })

  it('takes only echo on the box\'s own AE title', () => {
    assert.deepEqual(decideAssociation('BOX', 'BOX', find), { accept: true, role: 'echo' })
  })

  it('ignores the space padding of the called AE title and of its own', () => {
    asked.length = 0
    assert.equal(decideAssociation('SEG             ', 'BOX', find).accept, true)
    assert.deepEqual(asked, ['SEG'])
    assert.deepEqual(decideAssociation('  BOX  ', ' BOX ', find), { accept: true, role: 'echo' })
  })

  it('compares AE titles exactly, case included', () => {
    assert.equal(decideAssociation('seg', 'BOX', find).accept, false)
    assert.equal(decideAssociation('box', 'BOX', find).accept, false)
  })

  it('prefers a stream over the box\'s own AE title when both have the same name', () => {
    const decision = decideAssociation('MAGICKBOX', 'MAGICKBOX', find)
    assert.equal(decision.accept && decision.role, 'store')
  })

  it('rejects any other called AE title, saying why', () => {
    assert.deepEqual(decideAssociation('NOSUCHAE', 'BOX', find), {
      accept: false,
      reason: 'called AE title "NOSUCHAE" is not recognized (not the box\'s own AE title and no enabled stream has it)',
    })
  })
})

describe('isStorageSopClass', () => {
  it('accepts standard storage SOP classes', () => {
    for (const uid of [CT, '1.2.840.10008.5.1.4.1.1.4', '1.2.840.10008.5.1.4.1.1.88.11', '1.2.840.10008.5.1.4.34.7', '1.2.840.10008.5.1.4.38.1']) {
      assert.equal(isStorageSopClass(uid), true, uid)
    }
  })

  it('refuses standard classes that are not storage', () => {
    for (const uid of [VERIFICATION_SOP_CLASS, '1.2.840.10008.5.1.4.1.2.2.1', '1.2.840.10008.3.1.2.3.3', '1.2.840.10008.5.1.4.1.1', '1.2.840.10008.5.1.4.1.10']) {
      assert.equal(isStorageSopClass(uid), false, uid)
    }
  })

  it('accepts private classes outside 1.2.840.10008 when they are digits and dots', () => {
    assert.equal(isStorageSopClass('1.3.12.2.1107.5.9.1'), true)
    assert.equal(isStorageSopClass('1.3.12..2'), false)
    assert.equal(isStorageSopClass('not-a-uid'), false)
    assert.equal(isStorageSopClass(''), false)
  })
})

describe('decideContext', () => {
  it('accepts storage on a stream with the first proposed transfer syntax the box can read', () => {
    assert.deepEqual(decideContext('store', CT, [UNKNOWN_TS, JPEG_BASELINE, EXPLICIT_LE]), { accept: true, transferSyntaxUid: JPEG_BASELINE })
    assert.deepEqual(decideContext('store', CT, [IMPLICIT_LE]), { accept: true, transferSyntaxUid: IMPLICIT_LE })
  })

  it('accepts verification on both the box and a stream', () => {
    assert.deepEqual(decideContext('echo', VERIFICATION_SOP_CLASS, [IMPLICIT_LE]), { accept: true, transferSyntaxUid: IMPLICIT_LE })
    assert.deepEqual(decideContext('store', VERIFICATION_SOP_CLASS, [EXPLICIT_LE]), { accept: true, transferSyntaxUid: EXPLICIT_LE })
  })

  it('refuses storage on the box\'s own AE title', () => {
    assert.deepEqual(decideContext('echo', CT, [EXPLICIT_LE]), { accept: false, result: 'abstract-syntax-not-supported' })
  })

  it('refuses a class that is not storage, even on a stream', () => {
    assert.deepEqual(decideContext('store', '1.2.840.10008.5.1.4.1.2.2.1', [EXPLICIT_LE]), { accept: false, result: 'abstract-syntax-not-supported' })
  })

  it('refuses a context when no proposed transfer syntax is one the box can read', () => {
    assert.deepEqual(decideContext('store', CT, [UNKNOWN_TS]), { accept: false, result: 'transfer-syntaxes-not-supported' })
    assert.deepEqual(decideContext('store', CT, []), { accept: false, result: 'transfer-syntaxes-not-supported' })
    assert.deepEqual(decideContext('echo', VERIFICATION_SOP_CLASS, [UNKNOWN_TS]), { accept: false, result: 'transfer-syntaxes-not-supported' })
  })
})
