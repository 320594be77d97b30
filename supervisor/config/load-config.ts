/**
 * @module load-config
 * Reads settings.json (through the settings store) and applies the environment overrides:
 * MAGICKBOX_DATA, MAGICKBOX_STREAMS, MAGICKBOX_DICOM_PORT, MAGICKBOX_WEB_PORT, MAGICKBOX_AET.
 */
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfigError } from './config-error.js'
import { dataPaths, type DataPaths } from './data-paths.js'
import type { Settings } from './settings.js'
import { readSettingsFile } from './settings-store.js'
import { aeTitleProblem } from './validate-settings.js'

export interface Config {
  settings: Settings
  paths: DataPaths
  streamsDir: string
}

// The checkout's root: the nearest folder above this module holding package.json.
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) return process.cwd()
    dir = parent
  }
  return dir
}

function portFromEnv(name: string, value: string): number {
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value) : NaN
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`${name}=${value} is not a port number (1-65535)`)
  }
  return port
}

// Apply the environment variables over settings read from the file.
export function applyEnvironment(settings: Settings, env: NodeJS.ProcessEnv): Settings {
  const out: Settings = { ...settings }
  if (env.MAGICKBOX_DICOM_PORT) out.dicomPort = portFromEnv('MAGICKBOX_DICOM_PORT', env.MAGICKBOX_DICOM_PORT)
  if (env.MAGICKBOX_WEB_PORT) out.webPort = portFromEnv('MAGICKBOX_WEB_PORT', env.MAGICKBOX_WEB_PORT)
  if (env.MAGICKBOX_AET) {
    const problem = aeTitleProblem(env.MAGICKBOX_AET)
    if (problem) throw new ConfigError(`MAGICKBOX_AET ${problem}`)
    out.aet = env.MAGICKBOX_AET.trim()
  }
  return out
}

// Where data and streams live, from the environment or the checkout's defaults.
export function resolveFolders(env: NodeJS.ProcessEnv): { dataDir: string; streamsDir: string } {
  const root = packageRoot()
  return {
    dataDir: resolve(env.MAGICKBOX_DATA ?? join(root, 'data')),
    streamsDir: resolve(env.MAGICKBOX_STREAMS ?? join(root, 'streams')),
  }
}

// The whole configuration: settings.json (created with defaults when missing) plus environment.
export async function loadConfig(env: NodeJS.ProcessEnv = process.env): Promise<Config> {
  const { dataDir, streamsDir } = resolveFolders(env)
  const paths = dataPaths(dataDir)
  const settings = applyEnvironment(await readSettingsFile(paths.settings), env)
  return { settings, paths, streamsDir }
}
