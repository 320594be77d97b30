/**
 * @module validate-settings
 * Checks a parsed settings.json against the shape of {@link Settings}: unknown keys and wrong
 * types are errors with the path of the offending field, so a typo never silently falls back to
 * a default.
 */
import { isIpRange } from '../receiver/ip-range.js'
import { ConfigError } from './config-error.js'
import { DEFAULT_SETTINGS, type Settings } from './settings.js'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

// Merge `input` over `defaults`, checking every key and type against the defaults' shape.
function mergeChecked(defaults: Json, input: Json, path: string, problems: string[]): Json {
  if (Array.isArray(defaults)) {
    if (!Array.isArray(input) || !input.every((item) => typeof item === 'string')) {
      problems.push(`${path} must be a list of strings`)
      return defaults
    }
    return input
  }
  if (typeof defaults === 'object' && defaults !== null) {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      problems.push(`${path || 'settings'} must be an object`)
      return defaults
    }
    const out: { [key: string]: Json } = { ...defaults }
    for (const [key, value] of Object.entries(input)) {
      const at = path ? `${path}.${key}` : key
      if (!Object.hasOwn(defaults, key)) {
        problems.push(`${at} is not a known setting`)
        continue
      }
      out[key] = mergeChecked(defaults[key] as Json, value, at, problems)
    }
    return out
  }
  if (typeof defaults === 'number') {
    if (typeof input !== 'number' || !Number.isFinite(input) || input < 0) {
      problems.push(`${path} must be a non-negative number`)
      return defaults
    }
    return input
  }
  if (typeof defaults === 'boolean') {
    if (typeof input !== 'boolean') {
      problems.push(`${path} must be true or false`)
      return defaults
    }
    return input
  }
  if (typeof input !== 'string') {
    problems.push(`${path} must be a string`)
    return defaults
  }
  return input
}

// Validate an AE title: 1–16 characters of the default repertoire, no backslash or control chars.
export function aeTitleProblem(value: string): string | undefined {
  const trimmed = value.trim()
  if (trimmed.length === 0 || trimmed.length > 16) return 'must be 1 to 16 characters'
  if (/[\\\u0000-\u001f\u007f-\uffff]/.test(trimmed)) return 'may not hold a backslash, control or non-ASCII characters'
  return undefined
}

// Settings from parsed JSON merged over the defaults; throws ConfigError listing every problem.
export function validateSettings(input: unknown, source = 'settings.json'): Settings {
  const problems: string[] = []
  const merged = mergeChecked(structuredClone(DEFAULT_SETTINGS) as unknown as Json, (input ?? {}) as Json, '', problems) as unknown as Settings
  const aetProblem = aeTitleProblem(merged.aet)
  if (aetProblem) problems.push(`aet ${aetProblem}`)
  for (const [name, port] of [
    ['dicomPort', merged.dicomPort],
    ['webPort', merged.webPort],
  ] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`${name} must be a port number (1-65535)`)
  }
  if (merged.receiver.maxPduLength < 4096) problems.push('receiver.maxPduLength must be at least 4096')
  if (merged.receiver.engine !== 'lean' && merged.receiver.engine !== 'dcmjs-dimse') problems.push('receiver.engine must be "lean" or "dcmjs-dimse"')
  if (!Number.isInteger(merged.receiver.workers) || merged.receiver.workers > 64) problems.push('receiver.workers must be a whole number from 0 (one per core) to 64')
  for (const range of merged.receiver.allowedCallers.ips) if (!isIpRange(range)) problems.push(`receiver.allowedCallers.ips: "${range}" is not an IPv4/IPv6 address or CIDR range`)
  if (merged.receiver.maxAssociations < 1 || merged.receiver.maxAssociationsPerIP < 1) problems.push('receiver.maxAssociations and receiver.maxAssociationsPerIP must be at least 1')
  if (merged.delivery.maxPduLength < 4096) problems.push('delivery.maxPduLength must be at least 4096')
  if (merged.delivery.maxAttempts < 1) problems.push('delivery.maxAttempts must be at least 1')
  if (!Number.isInteger(merged.statusPort) || merged.statusPort < 1 || merged.statusPort > 65535) problems.push('statusPort must be a port number (1-65535)')
  if (merged.retention.lowWaterPercent >= merged.retention.highWaterPercent) problems.push('retention.lowWaterPercent must be below retention.highWaterPercent')
  if (merged.heartbeat.failuresBeforeRestart < 1) problems.push('heartbeat.failuresBeforeRestart must be at least 1')
  if (!Number.isInteger(merged.tls.dicomPort) || merged.tls.dicomPort > 65535) problems.push('tls.dicomPort must be a port number (1-65535), or 0 for none')
  if (merged.tls.dicomPort !== 0 && merged.tls.dicomPort === merged.dicomPort) problems.push('tls.dicomPort must differ from dicomPort')
  if (Boolean(merged.tls.certificate) !== Boolean(merged.tls.key)) problems.push('tls.certificate and tls.key go together: set both or neither')
  if (merged.logs.maxBytes < 4096) problems.push('logs.maxBytes must be at least 4096')
  if (problems.length > 0) throw new ConfigError(`${source}: ${problems.join('; ')}`)
  return merged
}
