/**
 * info.json → stream definition: the original MagickBox fields, the ones this box adds, defaults,
 * and every problem listed at once.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseStreamInfo, StreamInfoError } from '../../../supervisor/streams/parse-stream-info.js'
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MINUTES } from '../../../supervisor/streams/stream-definition.js'

const FOLDER = '/streams/brain'
const parse = (info: Record<string, unknown>) => parseStreamInfo(FOLDER, { AETitle: 'BrainSeg', ...info })

// The StreamInfoError message `info` raises.
function problemsOf(info: unknown): string {
  try {
    parseStreamInfo(FOLDER, info)
  } catch (error) {
    assert.ok(error instanceof StreamInfoError, `expected StreamInfoError, got ${String(error)}`)
    return error.message
  }
  assert.fail('expected info.json to be refused')
}

describe('parseStreamInfo', () => {
  it('reads an original MagickBox info.json with docker defaults', () => {
    const stream = parseStreamInfo(FOLDER, { name: 'Brain segmentation', description: 'FreeSurfer', version: '1.2.0', AETitle: 'BrainSeg', license: 'MIT', enabled: 1 })
    assert.deepEqual(stream, {
      folder: FOLDER,
      name: 'Brain segmentation',
      description: 'FreeSurfer',
      version: '1.2.0',
      aeTitle: 'BrainSeg',
      license: 'MIT',
      enabled: true,
      runner: 'docker',
      image: undefined,
      imageTag: 'magickbox/brainseg:1.2.0',
      command: ['/root/work.sh', '/input', '/output'],
      quietSeconds: undefined,
      timeoutMinutes: DEFAULT_TIMEOUT_MINUTES,
      concurrency: DEFAULT_CONCURRENCY,
      user: 'unprivileged',
      network: false,
      memoryMB: undefined,
      cpus: undefined,
      pids: undefined,
      allowedCallers: undefined,
    })
  })

  it('reads enabled 1/true/"1"/"true" as on, 0/false/"0"/"false" as off, and missing as on', () => {
    for (const enabled of [1, true, '1', 'true', undefined]) assert.equal(parse({ enabled }).enabled, true, String(enabled))
    for (const enabled of [0, false, '0', 'false']) assert.equal(parse({ enabled }).enabled, false, String(enabled))
  })

  it('refuses any other enabled value', () => {
    assert.match(problemsOf({ AETitle: 'X', enabled: 'yes' }), /"enabled" must be 1\/true or 0\/false, not "yes"/)
    assert.match(problemsOf({ AETitle: 'X', enabled: 2 }), /not 2/)
  })

  it('names the image magickbox/<AE title in lower case>:<version>, with 0.0.0 when there is no version', () => {
    assert.equal(parse({ version: '2.0' }).imageTag, 'magickbox/brainseg:2.0')
    assert.equal(parse({}).imageTag, 'magickbox/brainseg:0.0.0')
    assert.equal(parseStreamInfo(FOLDER, { AETitle: 'MY AE#1', version: 'v1+b' }).imageTag, 'magickbox/my-ae-1:v1_b')
  })

  it('builds a valid Docker reference from any accepted AE title and version', () => {
    const reference = /^magickbox\/[a-z0-9]+(?:[._-][a-z0-9]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
    for (const [AETitle, version] of [['BrainSeg', ''], ['BrainSeg', '-rc1'], ['_SEG', '1'], ['A..B', '1'], ['***', '.x']]) {
      const tag = parseStreamInfo(FOLDER, { AETitle, version }).imageTag
      assert.match(tag, reference, `${AETitle} ${version} → ${tag}`)
    }
    assert.equal(parseStreamInfo(FOLDER, { AETitle: 'BrainSeg', version: '' }).imageTag, 'magickbox/brainseg:0.0.0')
  })

  it('uses a given image as the image tag', () => {
    const stream = parse({ image: 'registry.local/seg:7' })
    assert.equal(stream.image, 'registry.local/seg:7')
    assert.equal(stream.imageTag, 'registry.local/seg:7')
  })

  it('trims the AE title and defaults the name to it', () => {
    const stream = parseStreamInfo(FOLDER, { AETitle: '  CTPERF ' })
    assert.equal(stream.aeTitle, 'CTPERF')
    assert.equal(stream.name, 'CTPERF')
  })

  it('requires a valid AE title', () => {
    assert.match(problemsOf({}), /"AETitle" is required and must be a string/)
    assert.match(problemsOf({ AETitle: 'A'.repeat(17) }), /"AETitle" must be 1 to 16 characters/)
    assert.match(problemsOf({ AETitle: 'A\\B' }), /"AETitle" may not hold a backslash/)
  })

  it('requires a command for the process runner', () => {
    assert.match(problemsOf({ AETitle: 'P', runner: 'process' }), /"command" is required for the process runner/)
    const stream = parse({ runner: 'process', command: ['sh', '-c', 'cp -r "$1"/. "$2"'] })
    assert.equal(stream.runner, 'process')
    assert.deepEqual(stream.command, ['sh', '-c', 'cp -r "$1"/. "$2"'])
  })

  it('lets a docker stream override its command', () => {
    assert.deepEqual(parse({ command: ['/run.sh'] }).command, ['/run.sh'])
  })

  it('refuses a bad runner or command', () => {
    assert.match(problemsOf({ AETitle: 'X', runner: 'podman' }), /"runner" must be "docker" or "process"/)
    for (const command of [[], 'run.sh', ['a', 1]]) {
      assert.match(problemsOf({ AETitle: 'X', command }), /"command" must be a non-empty array of strings/, JSON.stringify(command))
    }
  })

  it('reads quietSeconds, timeoutMinutes and concurrency, refusing non-positive values', () => {
    const stream = parse({ quietSeconds: 2.5, timeoutMinutes: 10, concurrency: 3 })
    assert.deepEqual([stream.quietSeconds, stream.timeoutMinutes, stream.concurrency], [2.5, 10, 3])
    assert.match(problemsOf({ AETitle: 'X', quietSeconds: 0 }), /"quietSeconds" must be a positive number/)
    assert.match(problemsOf({ AETitle: 'X', timeoutMinutes: '5' }), /"timeoutMinutes" must be a positive number/)
    assert.match(problemsOf({ AETitle: 'X', concurrency: 1.5 }), /"concurrency" must be a positive integer/)
  })

  it('accepts the original\'s bucket field and refuses unknown fields', () => {
    assert.equal(parse({ bucket: 'anything' }).aeTitle, 'BrainSeg')
    assert.match(problemsOf({ AETitle: 'X', aetitle: 'x', Image: 'y' }), /unknown field "aetitle"; unknown field "Image"/)
  })

  it('refuses string fields of another type', () => {
    assert.match(problemsOf({ AETitle: 'X', version: 1 }), /"version" must be a string/)
    assert.match(problemsOf({ AETitle: 'X', name: ['a'] }), /"name" must be a string/)
  })

  it('refuses info.json that is not an object', () => {
    for (const info of [null, [], 'x', 3]) assert.match(problemsOf(info), /info.json must hold a JSON object/)
  })

  it('lists every problem in one error', () => {
    const message = problemsOf({ runner: 'process', enabled: 'maybe', concurrency: 0, extra: 1 })
    for (const expected of [/unknown field "extra"/, /"AETitle" is required/, /"command" is required/, /"enabled" must be/, /"concurrency" must be/]) {
      assert.match(message, expected)
    }
  })
})
