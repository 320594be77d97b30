/**
 * The configuration as the box starts with it: settings.json (written with the defaults on first
 * start) and the environment overrides.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { ConfigError } from '../../../supervisor/config/config-error.js'
import { applyEnvironment, loadConfig, packageRoot, resolveFolders } from '../../../supervisor/config/load-config.js'
import { DEFAULT_SETTINGS } from '../../../supervisor/config/settings.js'

describe('applyEnvironment', () => {
  it('leaves the settings alone without MAGICKBOX_ variables', () => {
    assert.deepEqual(applyEnvironment(DEFAULT_SETTINGS, { PATH: '/bin' }), DEFAULT_SETTINGS)
  })

  it('overrides the DICOM port, web port and AE title', () => {
    const settings = applyEnvironment(DEFAULT_SETTINGS, { MAGICKBOX_DICOM_PORT: '11112', MAGICKBOX_WEB_PORT: '8080', MAGICKBOX_AET: ' BOX7 ' })
    assert.equal(settings.dicomPort, 11112)
    assert.equal(settings.webPort, 8080)
    assert.equal(settings.aet, 'BOX7')
    assert.deepEqual(settings.delivery, DEFAULT_SETTINGS.delivery)
  })

  it('does not change the settings it was given', () => {
    const before = structuredClone(DEFAULT_SETTINGS)
    applyEnvironment(DEFAULT_SETTINGS, { MAGICKBOX_DICOM_PORT: '11112', MAGICKBOX_AET: 'X' })
    assert.deepEqual(DEFAULT_SETTINGS, before)
  })

  it('throws ConfigError naming the variable for a bad port', () => {
    for (const [name, value] of [['MAGICKBOX_DICOM_PORT', 'abc'], ['MAGICKBOX_DICOM_PORT', '0'], ['MAGICKBOX_WEB_PORT', '70000'], ['MAGICKBOX_WEB_PORT', '80.5']]) {
      assert.throws(
        () => applyEnvironment(DEFAULT_SETTINGS, { [name!]: value }),
        (error: unknown) => error instanceof ConfigError && error.message === `${name}=${value} is not a port number (1-65535)`,
        `${name}=${value}`,
      )
    }
  })

  it('throws ConfigError for a bad AE title', () => {
    assert.throws(() => applyEnvironment(DEFAULT_SETTINGS, { MAGICKBOX_AET: 'A'.repeat(17) }), /MAGICKBOX_AET must be 1 to 16 characters/)
    assert.throws(() => applyEnvironment(DEFAULT_SETTINGS, { MAGICKBOX_AET: 'A\\B' }), ConfigError)
  })

  it('ignores variables that are set but empty', () => {
    assert.deepEqual(applyEnvironment(DEFAULT_SETTINGS, { MAGICKBOX_DICOM_PORT: '', MAGICKBOX_AET: '' }), DEFAULT_SETTINGS)
  })
})

describe('resolveFolders', () => {
  it('uses MAGICKBOX_DATA and MAGICKBOX_STREAMS, resolved to absolute paths', () => {
    const folders = resolveFolders({ MAGICKBOX_DATA: '/srv/mb/data', MAGICKBOX_STREAMS: 'relative/streams' })
    assert.equal(folders.dataDir, '/srv/mb/data')
    assert.equal(folders.streamsDir, join(process.cwd(), 'relative/streams'))
  })

  it('defaults to data/ and streams/ in the checkout', () => {
    assert.deepEqual(resolveFolders({}), { dataDir: join(packageRoot(), 'data'), streamsDir: join(packageRoot(), 'streams') })
  })
})

describe('loadConfig', () => {
  let dataDir: string
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'magickbox-config-'))
  })
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true })
  })

  it('writes settings.json with the defaults on first start', async () => {
    const config = await loadConfig({ MAGICKBOX_DATA: dataDir, MAGICKBOX_STREAMS: join(dataDir, 'streams') })
    assert.deepEqual(config.settings, DEFAULT_SETTINGS)
    assert.equal(config.paths.settings, join(dataDir, 'settings.json'))
    assert.equal(config.streamsDir, join(dataDir, 'streams'))
    assert.deepEqual(JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')), DEFAULT_SETTINGS)
  })

  it('creates the data folder when it does not exist yet', async () => {
    const nested = join(dataDir, 'a', 'b')
    await loadConfig({ MAGICKBOX_DATA: nested })
    assert.ok(JSON.parse(await readFile(join(nested, 'settings.json'), 'utf8')))
  })

  it('reads an existing settings.json and applies the environment over it', async () => {
    await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ aet: 'FROMFILE', dicomPort: 2000, quietSeconds: 5 }))
    const config = await loadConfig({ MAGICKBOX_DATA: dataDir, MAGICKBOX_DICOM_PORT: '3000' })
    assert.equal(config.settings.aet, 'FROMFILE')
    assert.equal(config.settings.quietSeconds, 5)
    assert.equal(config.settings.dicomPort, 3000)
    assert.deepEqual(JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8')), { aet: 'FROMFILE', dicomPort: 2000, quietSeconds: 5 })
  })

  it('throws ConfigError for a settings.json that is not valid JSON or not valid settings', async () => {
    await writeFile(join(dataDir, 'settings.json'), '{"aet": ')
    await assert.rejects(loadConfig({ MAGICKBOX_DATA: dataDir }), (error: unknown) => error instanceof ConfigError && /not valid JSON/.test(error.message))
    await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ dicomPrt: 1 }))
    await assert.rejects(loadConfig({ MAGICKBOX_DATA: dataDir }), /settings\.json: dicomPrt is not a known setting/)
  })
})
