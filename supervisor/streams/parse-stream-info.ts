/**
 * @module parse-stream-info
 * Turns a parsed info.json into a {@link StreamDefinition}, or a list of what is wrong with it.
 */
import { aeTitleProblem } from '../config/validate-settings.js'
import { isIpRange } from '../receiver/ip-range.js'
import {
  type AllowedCallers,
  DEFAULT_CONCURRENCY,
  DEFAULT_DOCKER_COMMAND,
  DEFAULT_TIMEOUT_MINUTES,
  type StreamDefinition,
  type StreamRunner,
} from './stream-definition.js'

const KNOWN_FIELDS = new Set([
  'name', 'description', 'version', 'AETitle', 'license', 'enabled', 'image', 'command', 'runner',
  'quietSeconds', 'timeoutMinutes', 'concurrency', 'bucket', 'user', 'network', 'memoryMB', 'cpus', 'pids', 'allowedCallers',
])

export class StreamInfoError extends Error {
  override name = 'StreamInfoError'
}

// `enabled` as the seed wrote it: 1/true on, 0/false off, missing on.
function parseEnabled(value: unknown, problems: string[]): boolean {
  if (value === undefined || value === 1 || value === true || value === '1' || value === 'true') return true
  if (value === 0 || value === false || value === '0' || value === 'false') return false
  problems.push(`"enabled" must be 1/true or 0/false, not ${JSON.stringify(value)}`)
  return false
}

function optionalPositive(info: Record<string, unknown>, key: string, problems: string[], integer = false): number | undefined {
  const value = info[key]
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    problems.push(`"${key}" must be a positive ${integer ? 'integer' : 'number'}`)
    return undefined
  }
  return value
}

function optionalString(info: Record<string, unknown>, key: string, problems: string[]): string | undefined {
  const value = info[key]
  if (value === undefined) return undefined
  if (typeof value !== 'string') {
    problems.push(`"${key}" must be a string`)
    return undefined
  }
  return value
}

/**
 * The tag the box builds a stream's image as: `magickbox/<AE title in lower case>:<version>`,
 * reduced to what Docker accepts (repository: lower-case alphanumerics joined by single `.`, `_`
 * or `-`; tag: 1–128 of `[A-Za-z0-9_.-]`, not starting with `.` or `-`).
 */
export function builtImageTag(aeTitle: string, version: string): string {
  const name = aeTitle.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'stream'
  let tag = version.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 127)
  if (!/^[A-Za-z0-9_]/.test(tag)) tag = `v${tag}`
  return `magickbox/${name}:${tag}`
}

function parseUser(value: unknown, problems: string[]): 'unprivileged' | 'root' {
  if (value === undefined) return 'unprivileged'
  if (value === 'root') return 'root'
  problems.push('"user" can only be "root" (to run as root, which an admin must allow); leave it out to run unprivileged')
  return 'unprivileged'
}

function parseNetwork(value: unknown, problems: string[]): boolean {
  if (value === undefined || value === false) return false
  if (value === true) return true
  problems.push('"network" must be true or false')
  return false
}

// A stream definition from info.json contents; throws StreamInfoError listing every problem.
export function parseStreamInfo(folder: string, info: unknown): StreamDefinition {
  if (typeof info !== 'object' || info === null || Array.isArray(info)) throw new StreamInfoError('info.json must hold a JSON object')
  const record = info as Record<string, unknown>
  const problems: string[] = []
  for (const key of Object.keys(record)) if (!KNOWN_FIELDS.has(key)) problems.push(`unknown field "${key}"`)
  const aeTitleRaw = record.AETitle
  let aeTitle = ''
  if (typeof aeTitleRaw !== 'string') problems.push('"AETitle" is required and must be a string')
  else {
    const problem = aeTitleProblem(aeTitleRaw)
    if (problem) problems.push(`"AETitle" ${problem}`)
    aeTitle = aeTitleRaw.trim()
  }
  const runnerRaw = record.runner ?? 'docker'
  if (runnerRaw !== 'docker' && runnerRaw !== 'process') problems.push('"runner" must be "docker" or "process"')
  const runner = (runnerRaw === 'process' ? 'process' : 'docker') as StreamRunner
  let command: string[] = runner === 'docker' ? [...DEFAULT_DOCKER_COMMAND] : []
  if (record.command !== undefined) {
    if (!Array.isArray(record.command) || record.command.length === 0 || !record.command.every((p) => typeof p === 'string')) {
      problems.push('"command" must be a non-empty array of strings')
    } else command = record.command as string[]
  } else if (runner === 'process') problems.push('"command" is required for the process runner')
  const version = optionalString(record, 'version', problems)?.trim() || '0.0.0'
  const image = optionalString(record, 'image', problems)
  const definition: StreamDefinition = {
    folder,
    name: optionalString(record, 'name', problems) ?? aeTitle,
    description: optionalString(record, 'description', problems) ?? '',
    version,
    aeTitle,
    license: optionalString(record, 'license', problems) ?? '',
    enabled: parseEnabled(record.enabled, problems),
    runner,
    image,
    imageTag: image ?? builtImageTag(aeTitle, version),
    command,
    quietSeconds: optionalPositive(record, 'quietSeconds', problems),
    timeoutMinutes: optionalPositive(record, 'timeoutMinutes', problems) ?? DEFAULT_TIMEOUT_MINUTES,
    concurrency: optionalPositive(record, 'concurrency', problems, true) ?? DEFAULT_CONCURRENCY,
    user: parseUser(record.user, problems),
    network: parseNetwork(record.network, problems),
    memoryMB: optionalPositive(record, 'memoryMB', problems),
    cpus: optionalPositive(record, 'cpus', problems),
    pids: optionalPositive(record, 'pids', problems, true),
    allowedCallers: parseAllowedCallers(record.allowedCallers, '"allowedCallers"', problems),
  }
  if (problems.length > 0) throw new StreamInfoError(problems.join('; '))
  return definition
}

// "allowedCallers": {"aeTitles": [...], "ips": ["10.0.0.0/8", "192.168.1.5"]}.
export function parseAllowedCallers(value: unknown, where: string, problems: string[]): AllowedCallers | undefined {
  if (value === undefined) return undefined
  const v = value as Record<string, unknown>
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${where} must be an object with "aeTitles" and/or "ips"`)
    return undefined
  }
  for (const key of Object.keys(v)) if (key !== 'aeTitles' && key !== 'ips') problems.push(`${where}.${key} is not known (aeTitles, ips)`)
  const list = (key: 'aeTitles' | 'ips'): string[] => {
    const items = v[key] ?? []
    if (!Array.isArray(items) || !items.every((i) => typeof i === 'string')) {
      problems.push(`${where}.${key} must be a list of strings`)
      return []
    }
    return (items as string[]).map((i) => i.trim())
  }
  const callers = { aeTitles: list('aeTitles'), ips: list('ips') }
  for (const range of callers.ips) if (!isIpRange(range)) problems.push(`${where}.ips: "${range}" is not an IPv4/IPv6 address or CIDR range`)
  return callers
}
