/**
 * How identifiers appear in logs: as they are, or as keyed hashes that stay the same for one box.
 */
import assert from 'node:assert/strict'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { loadMaskKey, maskedIdentifiers, MASK_KEY_FILE, plainIdentifiers } from '../../../supervisor/logging/identifier-mask.js'
import { tempFolder } from '../../helpers/temp-folder.js'

describe('identifier mask', () => {
  it('writes identifiers as they are when masking is off', () => {
    assert.equal(plainIdentifiers.patient('DOE^JANE', '123'), 'patient "DOE^JANE" (ID 123)')
    assert.equal(plainIdentifiers.uid('1.2.3'), '1.2.3')
  })

  it('gives the same token for the same value and a different one for another value or another key', () => {
    const one = maskedIdentifiers(Buffer.alloc(32, 1))
    const two = maskedIdentifiers(Buffer.alloc(32, 2))
    assert.match(one.patient('DOE^JANE', '123'), /^patient #[0-9a-f]{8}$/)
    assert.equal(one.patient('DOE^JANE', '123'), one.patient('DOE^J', '123'), 'keyed on the patient ID')
    assert.notEqual(one.patient('DOE^JANE', '123'), one.patient('DOE^JANE', '124'))
    assert.notEqual(one.uid('1.2.3'), two.uid('1.2.3'))
    assert.ok(!one.uid('1.2.840.99').includes('1.2.840'))
  })

  it('makes the key once, readable only by its owner, and keeps it across loads', async () => {
    const temp = await tempFolder()
    try {
      const keys = await Promise.all(Array.from({ length: 8 }, async () => loadMaskKey(temp.path)))
      for (const key of keys) assert.deepEqual(key, keys[0])
      assert.equal((await stat(join(temp.path, MASK_KEY_FILE))).mode & 0o777, 0o600)
      assert.match(await readFile(join(temp.path, MASK_KEY_FILE), 'utf8'), /^[0-9a-f]{64}\n$/)
      assert.deepEqual(loadMaskKey(temp.path), keys[0])
    } finally {
      await temp.remove()
    }
  })
})
