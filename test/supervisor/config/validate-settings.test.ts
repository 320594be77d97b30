/**
 * settings.json checked against the shape of the defaults: merged over them, with every unknown
 * key and wrong type reported by its path.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ConfigError } from '../../../supervisor/config/config-error.js'
import { DEFAULT_SETTINGS } from '../../../supervisor/config/settings.js'
import { aeTitleProblem, validateSettings } from '../../../supervisor/config/validate-settings.js'

// The ConfigError message `input` raises.
function problemsOf(input: unknown, source?: string): string {
  try {
    validateSettings(input, source)
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`)
    return error.message
  }
  assert.fail('expected the settings to be refused')
}

describe('validateSettings', () => {
  it('gives the defaults for an empty object, null or undefined', () => {
    assert.deepEqual(validateSettings({}), DEFAULT_SETTINGS)
    assert.deepEqual(validateSettings(null), DEFAULT_SETTINGS)
    assert.deepEqual(validateSettings(undefined), DEFAULT_SETTINGS)
  })

  it('merges nested settings over the defaults, keeping the defaults of fields not given', () => {
    const settings = validateSettings({ aet: 'BOX2', defaultDestination: { host: 'pacs' }, delivery: { maxAttempts: 3, callingAE: 'OUT' } })
    assert.equal(settings.aet, 'BOX2')
    assert.deepEqual(settings.defaultDestination, { host: 'pacs', port: 11112, calledAE: 'PACS' })
    assert.deepEqual(settings.delivery, { ...DEFAULT_SETTINGS.delivery, maxAttempts: 3, callingAE: 'OUT' })
    assert.deepEqual(settings.receiver, DEFAULT_SETTINGS.receiver)
  })

  it('does not change the defaults it merges over', () => {
    const before = structuredClone(DEFAULT_SETTINGS)
    validateSettings({ receiver: { fsync: true }, defaultDestination: { port: 4242 } })
    assert.deepEqual(DEFAULT_SETTINGS, before)
  })

  it('reports an unknown key with its path', () => {
    assert.match(problemsOf({ dicomport: 104 }), /dicomport is not a known setting/)
    assert.match(problemsOf({ delivery: { maxAtempts: 3 } }), /delivery\.maxAtempts is not a known setting/)
  })

  it('reports keys inherited from Object.prototype as unknown', () => {
    assert.match(problemsOf({ toString: 'x' }), /toString is not a known setting/)
    assert.match(problemsOf({ constructor: 'x' }), /constructor is not a known setting/)
    assert.match(problemsOf({ hasOwnProperty: 1 }), /hasOwnProperty is not a known setting/)
    assert.match(problemsOf({ delivery: { valueOf: 'x' } }), /delivery\.valueOf is not a known setting/)
  })

  it('returns settings that share no objects with the defaults', () => {
    assert.notEqual(validateSettings({}).delivery, DEFAULT_SETTINGS.delivery)
  })

  it('reports a wrong type with its path', () => {
    assert.match(problemsOf({ quietSeconds: '15' }), /quietSeconds must be a non-negative number/)
    assert.match(problemsOf({ receiver: { fsync: 'yes' } }), /receiver\.fsync must be true or false/)
    assert.match(problemsOf({ defaultDestination: { host: 1 } }), /defaultDestination\.host must be a string/)
    assert.match(problemsOf({ delivery: 5 }), /delivery must be an object/)
    assert.match(problemsOf({ delivery: { factor: -1 } }), /delivery\.factor must be a non-negative number/)
    assert.match(problemsOf([]), /settings must be an object/)
  })

  it('refuses bad AE titles', () => {
    assert.match(problemsOf({ aet: '' }), /aet must be 1 to 16 characters/)
    assert.match(problemsOf({ aet: 'A'.repeat(17) }), /aet must be 1 to 16 characters/)
    assert.match(problemsOf({ aet: 'BOX\\1' }), /aet may not hold a backslash/)
  })

  it('refuses ports outside 1-65535 and fractional ports', () => {
    assert.match(problemsOf({ dicomPort: 0 }), /dicomPort must be a port number \(1-65535\)/)
    assert.match(problemsOf({ webPort: 65536 }), /webPort must be a port number/)
    assert.match(problemsOf({ dicomPort: 104.5 }), /dicomPort must be a port number/)
  })

  it('refuses PDU lengths under 4096 and fewer than one delivery attempt', () => {
    assert.match(problemsOf({ receiver: { maxPduLength: 1024 } }), /receiver\.maxPduLength must be at least 4096/)
    assert.match(problemsOf({ delivery: { maxPduLength: 0 } }), /delivery\.maxPduLength must be at least 4096/)
    assert.match(problemsOf({ delivery: { maxAttempts: 0 } }), /delivery\.maxAttempts must be at least 1/)
  })

  it('lists every problem in one error, prefixed with the source', () => {
    const message = problemsOf({ aet: '', typo: 1, webPort: 0, receiver: { fsync: 1 } }, '/data/settings.json')
    assert.match(message, /^\/data\/settings\.json: /)
    for (const expected of [/typo is not a known setting/, /receiver\.fsync must be true or false/, /aet must be 1 to 16/, /webPort must be a port number/]) {
      assert.match(message, expected)
    }
  })
})

describe('aeTitleProblem', () => {
  it('accepts 1 to 16 characters of the default repertoire, ignoring surrounding spaces', () => {
    for (const ae of ['A', 'MAGICKBOX', 'A'.repeat(16), '  PACS  ', 'CT-1_X.Y']) assert.equal(aeTitleProblem(ae), undefined, ae)
  })

  it('refuses empty, too long, backslash, control and non-ASCII AE titles', () => {
    assert.equal(aeTitleProblem('   '), 'must be 1 to 16 characters')
    assert.equal(aeTitleProblem('A'.repeat(17)), 'must be 1 to 16 characters')
    for (const ae of ['A\\B', 'A\tB', 'MÜLLER', 'A\u007fB']) assert.match(aeTitleProblem(ae) ?? '', /backslash, control or non-ASCII/, JSON.stringify(ae))
  })

  it('refuses a TLS certificate without its key, and a DICOM TLS port equal to the DICOM port', () => {
    assert.match(problemsOf({ tls: { certificate: 'box.crt' } }), /tls\.certificate and tls\.key go together/)
    assert.match(problemsOf({ dicomPort: 2762, tls: { dicomPort: 2762 } }), /tls\.dicomPort must differ from dicomPort/)
  })
})
