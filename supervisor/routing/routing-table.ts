/**
 * @module routing-table
 * routing.json in the original MagickBox format, checked field by field:
 * `{"routing": [{name, AETitleIn, AETitleFrom, status | enabled, break, RouteDirectory,
 *   send: [{"<outcome regex>": {IP, PORT, AETitleSender, AETitleTo, break, tls}}]}]}`.
 * The original's `which` and `sendErrorAsDcm` are refused with a clear message until they exist.
 */
import { parseDestinationTls, type DestinationTls } from '../tls/destination-tls.js'

export interface RouteDestination {
  IP: string
  PORT: string | number
  AETitleSender: string | undefined
  AETitleTo: string | undefined
  break: boolean
  /** Send over TLS (see destination-tls). */
  tls?: DestinationTls
}

export interface SendEntry {
  /** Outcome regex → destination, in file order. */
  targets: { pattern: string; regex: RegExp; destination: RouteDestination }[]
}

export interface RoutingRule {
  name: string
  AETitleIn: RegExp | undefined
  AETitleFrom: RegExp | undefined
  /** `status: 0` or `enabled: false` turns a rule off. */
  on: boolean
  break: boolean
  directory: 'output' | 'input'
  send: SendEntry[]
}

export interface RoutingTable {
  rules: RoutingRule[]
}

export class RoutingTableError extends Error {
  override name = 'RoutingTableError'
}

const RULE_FIELDS = new Set(['name', 'AETitleIn', 'AETitleFrom', 'status', 'enabled', 'break', 'RouteDirectory', 'send', 'description'])
const DESTINATION_FIELDS = new Set(['IP', 'PORT', 'AETitleSender', 'AETitleTo', 'break', 'tls'])
const LATER = new Set(['which', 'sendErrorAsDcm'])

// A regex as the original's Python re.search used it: unanchored, case-insensitive.
function compile(pattern: unknown, where: string, problems: string[]): RegExp | undefined {
  if (pattern === undefined) return undefined
  if (typeof pattern !== 'string') {
    problems.push(`${where} must be a string (a regular expression)`)
    return undefined
  }
  try {
    return new RegExp(pattern, 'i')
  } catch (error) {
    problems.push(`${where} is not a valid regular expression: ${(error as Error).message}`)
    return undefined
  }
}

function flag(value: unknown, where: string, problems: string[]): boolean {
  if (value === undefined || value === 0 || value === false || value === '0') return false
  if (value === 1 || value === true || value === '1') return true
  problems.push(`${where} must be 0/1 or true/false`)
  return false
}

function parseDestination(value: unknown, where: string, problems: string[]): RouteDestination | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push(`${where} must be an object with IP, PORT, AETitleSender, AETitleTo`)
    return undefined
  }
  const d = value as Record<string, unknown>
  for (const key of Object.keys(d)) {
    if (LATER.has(key)) problems.push(`${where}.${key} (the original's "${key}") is not supported yet; remove it from the destination`)
    else if (!DESTINATION_FIELDS.has(key)) problems.push(`${where}.${key} is not a known destination field`)
  }
  if (typeof d.IP !== 'string' || d.IP.trim() === '') problems.push(`${where}.IP is required ("$me", "$caller" or a host name or address)`)
  const port = d.PORT
  const numeric = typeof port === 'string' && /^\d{1,5}$/.test(port) ? Number(port) : port
  if (port !== '$port' && !(typeof numeric === 'number' && Number.isInteger(numeric) && numeric > 0 && numeric < 65536)) {
    problems.push(`${where}.PORT must be a port number or "$port"`)
  }
  for (const key of ['AETitleSender', 'AETitleTo'] as const) {
    const ae = d[key]
    if (ae !== undefined && (typeof ae !== 'string' || ae.trim() === '' || ae.trim().length > 16 || /[\\\u0000-\u001f]/.test(ae))) {
      problems.push(`${where}.${key} must be an AE title of 1 to 16 characters`)
    }
  }
  const tls = parseDestinationTls(d.tls, `${where}.tls`, problems)
  return {
    IP: String(d.IP ?? '').trim(),
    PORT: port as string | number,
    AETitleSender: typeof d.AETitleSender === 'string' ? d.AETitleSender.trim() : undefined,
    AETitleTo: typeof d.AETitleTo === 'string' ? d.AETitleTo.trim() : undefined,
    break: flag(d.break, `${where}.break`, problems),
    ...(tls ? { tls } : {}),
  }
}

// Check and compile a parsed routing.json; throws RoutingTableError listing every problem.
export function parseRoutingTable(input: unknown): RoutingTable {
  const problems: string[] = []
  if (typeof input !== 'object' || input === null || !Array.isArray((input as { routing?: unknown }).routing)) {
    throw new RoutingTableError('routing.json must be an object with a "routing" array')
  }
  const extra = Object.keys(input).filter((k) => k !== 'routing')
  if (extra.length) problems.push(`unknown top-level field(s): ${extra.join(', ')}`)
  const rules: RoutingRule[] = []
  ;(input as { routing: unknown[] }).routing.forEach((raw, index) => {
    const where = `routing[${index}]`
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push(`${where} must be an object`)
      return
    }
    const r = raw as Record<string, unknown>
    const label = typeof r.name === 'string' ? `${where} ("${r.name}")` : where
    for (const key of Object.keys(r)) {
      if (LATER.has(key)) problems.push(`${label}.${key} (the original's "${key}") is not supported yet; remove it from the rule`)
      else if (!RULE_FIELDS.has(key)) problems.push(`${label}.${key} is not a known rule field`)
    }
    const directory = r.RouteDirectory === undefined ? 'OUTPUT' : r.RouteDirectory
    if (directory !== 'OUTPUT' && directory !== 'INPUT') problems.push(`${label}.RouteDirectory must be "OUTPUT" or "INPUT"`)
    const status = r.status === undefined ? 1 : r.status
    if (status !== 0 && status !== 1 && status !== '0' && status !== '1') problems.push(`${label}.status must be 0 or 1`)
    if (r.enabled !== undefined && typeof r.enabled !== 'boolean') problems.push(`${label}.enabled must be true or false`)
    const send: SendEntry[] = []
    if (!Array.isArray(r.send)) problems.push(`${label}.send must be an array of {"<outcome regex>": destination} objects`)
    else {
      r.send.forEach((entry, j) => {
        const at = `${label}.send[${j}]`
        if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
          problems.push(`${at} must be an object`)
          return
        }
        const targets: SendEntry['targets'] = []
        for (const [pattern, value] of Object.entries(entry)) {
          const regex = compile(pattern, `${at} key "${pattern}"`, problems)
          const destination = parseDestination(value, `${at}["${pattern}"]`, problems)
          if (regex && destination) targets.push({ pattern, regex, destination })
        }
        send.push({ targets })
      })
    }
    rules.push({
      name: typeof r.name === 'string' ? r.name : `rule ${index + 1}`,
      AETitleIn: compile(r.AETitleIn, `${label}.AETitleIn`, problems),
      AETitleFrom: compile(r.AETitleFrom, `${label}.AETitleFrom`, problems),
      on: String(status) !== '0' && r.enabled !== false,
      break: flag(r.break, `${label}.break`, problems),
      directory: directory === 'INPUT' ? 'input' : 'output',
      send,
    })
  })
  if (problems.length) throw new RoutingTableError(problems.join('; '))
  return { rules }
}
