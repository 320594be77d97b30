/**
 * @module route-job
 * Which destinations a finished job goes to, and why (pure). The documented semantics:
 * rules in order; a rule that is off is skipped; a rule matches when its AETitleIn matches the
 * called AE title and its AETitleFrom the calling AE title (unanchored, case-insensitive); in a
 * matching rule every send key is a regex over the outcome; a destination with `break` stops the
 * rest of its rule's send list once it matched; a rule's `break` stops later rules only when the
 * rule matched. The same destination chosen twice is sent once.
 */
import type { DefaultDestination } from '../config/settings.js'
import type { DestinationAddress } from '../jobs/job.js'
import { describeTls } from '../tls/destination-tls.js'
import type { RouteDestination, RoutingTable } from './routing-table.js'

export interface RouteFacts {
  calledAE: string
  callingAE: string
  callerIP: string
  outcome: string
}

export interface RouteDecision {
  rule: string
  why: string
  directory: 'output' | 'input'
  destination: DestinationAddress
}

export interface RoutingResult {
  decisions: RouteDecision[]
  /** One line per rule and destination considered: the routing log. */
  trace: string[]
  /** Destinations that matched but cannot be addressed (e.g. "$me" with no default set). */
  problems: string[]
}

export interface RouteDefaults {
  defaultDestination: DefaultDestination
  callingAE: string
}

// Resolve "$me", "$port" and "$caller" into an address, or say why not.
export function resolveDestination(d: RouteDestination, facts: RouteFacts, defaults: RouteDefaults): DestinationAddress | string {
  let host = d.IP
  let calledAE = d.AETitleTo
  if (host === '$me') {
    host = defaults.defaultDestination.host
    if (!host) return '"IP": "$me" but no default destination host is set (settings.json defaultDestination.host)'
    calledAE ??= defaults.defaultDestination.calledAE
  } else if (host === '$caller') {
    host = facts.callerIP
    if (!host) return '"IP": "$caller" but the caller\'s address is unknown'
  }
  const port = d.PORT === '$port' ? defaults.defaultDestination.port : Number(d.PORT)
  if (!calledAE) return `destination ${host}:${port} has no AETitleTo`
  return { host, port, calledAE, callingAE: d.AETitleSender ?? defaults.callingAE, ...(d.tls ? { tls: d.tls } : {}) }
}

export function routeJob(table: RoutingTable, facts: RouteFacts, defaults: RouteDefaults): RoutingResult {
  const result: RoutingResult = { decisions: [], trace: [], problems: [] }
  const seen = new Set<string>()
  for (const rule of table.rules) {
    if (!rule.on) {
      result.trace.push(`rule "${rule.name}": off (status 0 or enabled false)`)
      continue
    }
    if (rule.AETitleIn && !rule.AETitleIn.test(facts.calledAE)) {
      result.trace.push(`rule "${rule.name}": AETitleIn /${rule.AETitleIn.source}/ does not match called AE "${facts.calledAE}"`)
      continue
    }
    if (rule.AETitleFrom && !rule.AETitleFrom.test(facts.callingAE)) {
      result.trace.push(`rule "${rule.name}": AETitleFrom /${rule.AETitleFrom.source}/ does not match calling AE "${facts.callingAE}"`)
      continue
    }
    result.trace.push(`rule "${rule.name}": matches called AE "${facts.calledAE}" and calling AE "${facts.callingAE}"`)
    let stopSend = false
    for (const entry of rule.send) {
      for (const target of entry.targets) {
        if (!target.regex.test(facts.outcome)) {
          result.trace.push(`  send "${target.pattern}": does not match outcome "${facts.outcome}"`)
          continue
        }
        const address = resolveDestination(target.destination, facts, defaults)
        if (typeof address === 'string') {
          result.problems.push(`rule "${rule.name}", send "${target.pattern}": ${address}`)
          result.trace.push(`  send "${target.pattern}": matches outcome "${facts.outcome}" but ${address}`)
        } else {
          const key = `${address.host}|${address.port}|${address.calledAE}|${address.callingAE}|${rule.directory}`
          const label = `${address.calledAE}@${address.host}:${address.port}${describeTls(address.tls)}`
          if (seen.has(key)) result.trace.push(`  send "${target.pattern}": ${label} already chosen above; sent once`)
          else {
            seen.add(key)
            const why = `rule "${rule.name}" matched (called "${facts.calledAE}", calling "${facts.callingAE}") and send key "${target.pattern}" matched outcome "${facts.outcome}"`
            result.decisions.push({ rule: rule.name, why, directory: rule.directory, destination: address })
            result.trace.push(`  send "${target.pattern}": matches outcome "${facts.outcome}" → ${label} (${rule.directory})`)
          }
        }
        if (target.destination.break) {
          result.trace.push(`  destination break: the rest of rule "${rule.name}"'s send list is skipped`)
          stopSend = true
          break
        }
      }
      if (stopSend) break
    }
    if (rule.break) {
      result.trace.push(`rule "${rule.name}" has break and matched: later rules are skipped`)
      break
    }
  }
  return result
}
