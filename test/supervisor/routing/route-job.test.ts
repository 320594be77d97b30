/**
 * routeJob's documented semantics: rules in order, off rules skipped, unanchored case-insensitive
 * patterns, rule break only when the rule matched, destination break only when it matched,
 * "$me"/"$port"/"$caller", and each destination sent once.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { resolveDestination, routeJob, type RouteDefaults, type RouteFacts } from '../../../supervisor/routing/route-job.js'
import { parseRoutingTable } from '../../../supervisor/routing/routing-table.js'

const FACTS: RouteFacts = { calledAE: 'ECHO', callingAE: 'SCANNER1', callerIP: '10.1.2.3', outcome: 'success' }
const DEFAULTS: RouteDefaults = { defaultDestination: { host: 'pacs.local', port: 11112, calledAE: 'PACS' }, callingAE: 'MAGICKBOX' }

type Dest = Record<string, unknown>
const to = (calledAE: string, extra: Dest = {}): Dest => ({ IP: 'dest.local', PORT: 104, AETitleTo: calledAE, ...extra })
const rule = (name: string, send: Record<string, Dest>[], extra: Dest = {}) => ({ name, send, ...extra })
const route = (rules: unknown[], facts: Partial<RouteFacts> = {}, defaults: RouteDefaults = DEFAULTS) =>
  routeJob(parseRoutingTable({ routing: rules }), { ...FACTS, ...facts }, defaults)
const chosen = (rules: unknown[], facts: Partial<RouteFacts> = {}) => route(rules, facts).decisions.map((d) => d.destination.calledAE)

describe('routeJob', () => {
  it('matches AETitleIn and AETitleFrom unanchored and case-insensitively', () => {
    const rules = [rule('r', [{ '.*': to('A') }], { AETitleIn: 'ech', AETitleFrom: 'scanner' })]
    assert.deepEqual(chosen(rules, { calledAE: 'MYECHO2', callingAE: 'ct-scanner1' }), ['A'])
    assert.deepEqual(chosen(rules, { calledAE: 'OTHER' }), [])
    assert.deepEqual(chosen(rules, { callingAE: 'MRI' }), [])
  })

  it('matches send keys against the outcome unanchored and case-insensitively', () => {
    const rules = [rule('r', [{ SUCC: to('A') }, { '^failed$': to('B') }, { part: to('C') }])]
    assert.deepEqual(chosen(rules, { outcome: 'success' }), ['A'])
    assert.deepEqual(chosen(rules, { outcome: 'failed' }), ['B'])
    assert.deepEqual(chosen(rules, { outcome: 'Partial' }), ['C'])
  })

  it('treats a rule without AETitleIn or AETitleFrom as matching any AE title', () => {
    assert.deepEqual(chosen([rule('any', [{ '.*': to('A') }])], { calledAE: 'X', callingAE: 'Y' }), ['A'])
  })

  it('applies rules in order and collects every matching rule\'s destinations', () => {
    const rules = [rule('one', [{ '.*': to('A') }]), rule('two', [{ '.*': to('B') }]), rule('three', [{ '.*': to('C') }], { AETitleIn: 'NOPE' })]
    const result = route(rules)
    assert.deepEqual(result.decisions.map((d) => [d.rule, d.destination.calledAE]), [['one', 'A'], ['two', 'B']])
  })

  it('skips rules that are off', () => {
    const rules = [rule('off', [{ '.*': to('A') }], { status: 0, break: 1 }), rule('disabled', [{ '.*': to('B') }], { enabled: false }), rule('on', [{ '.*': to('C') }])]
    assert.deepEqual(chosen(rules), ['C'])
  })

  it('stops later rules when a matching rule has break', () => {
    const rules = [rule('stop', [{ '.*': to('A') }], { break: 1 }), rule('later', [{ '.*': to('B') }])]
    assert.deepEqual(chosen(rules), ['A'])
  })

  it('does not stop later rules when a rule with break does not match (the original\'s bug)', () => {
    const rules = [rule('stop', [{ '.*': to('A') }], { AETitleIn: 'OTHER', break: 1 }), rule('later', [{ '.*': to('B') }])]
    assert.deepEqual(chosen(rules), ['B'])
    const fromMismatch = [rule('stop', [{ '.*': to('A') }], { AETitleFrom: 'MRI', break: 1 }), rule('later', [{ '.*': to('B') }])]
    assert.deepEqual(chosen(fromMismatch), ['B'])
  })

  it('stops a matching rule even when none of its send keys matched the outcome', () => {
    const rules = [rule('stop', [{ failed: to('A') }], { break: 1 }), rule('later', [{ '.*': to('B') }])]
    assert.deepEqual(chosen(rules, { outcome: 'success' }), [])
  })

  it('skips the rest of the rule\'s send list after a matching destination with break', () => {
    const rules = [
      rule('r', [{ success: to('A'), '.*': to('B') }, { '.*': to('C', { break: 1 }) }, { '.*': to('D') }, { success: to('E') }]),
      rule('next', [{ '.*': to('F') }]),
    ]
    assert.deepEqual(chosen(rules), ['A', 'B', 'C', 'F'])
  })

  it('stops within one send entry too when a destination with break matched', () => {
    const rules = [rule('r', [{ succ: to('A', { break: 1 }), '.*': to('B') }, { '.*': to('C') }])]
    assert.deepEqual(chosen(rules), ['A'])
  })

  it('does not stop anything when a destination with break does not match the outcome', () => {
    const rules = [rule('r', [{ failed: to('A', { break: 1 }) }, { '.*': to('B') }])]
    assert.deepEqual(chosen(rules, { outcome: 'success' }), ['B'])
  })

  it('resolves "$me" and "$port" to the default destination', () => {
    const [decision] = route([rule('r', [{ '.*': { IP: '$me', PORT: '$port' } }])]).decisions
    assert.deepEqual(decision!.destination, { host: 'pacs.local', port: 11112, calledAE: 'PACS', callingAE: 'MAGICKBOX' })
  })

  it('keeps an explicit AETitleTo and PORT with "$me"', () => {
    const [decision] = route([rule('r', [{ '.*': { IP: '$me', PORT: '4242', AETitleTo: 'VIEWER' } }])]).decisions
    assert.deepEqual(decision!.destination, { host: 'pacs.local', port: 4242, calledAE: 'VIEWER', callingAE: 'MAGICKBOX' })
  })

  it('reports "$me" without a default host as a problem, not a decision', () => {
    const defaults: RouteDefaults = { defaultDestination: { host: '', port: 11112, calledAE: 'PACS' }, callingAE: 'MAGICKBOX' }
    const result = route([rule('home', [{ '.*': { IP: '$me', PORT: '$port' } }])], {}, defaults)
    assert.deepEqual(result.decisions, [])
    assert.equal(result.problems.length, 1)
    assert.match(result.problems[0]!, /^rule "home", send "\.\*": .*\$me.*no default destination host/)
  })

  it('sends "$caller" to the caller\'s IP address', () => {
    const [decision] = route([rule('r', [{ '.*': { IP: '$caller', PORT: 11112, AETitleTo: 'SCANNER' } }])]).decisions
    assert.equal(decision!.destination.host, '10.1.2.3')
    assert.equal(decision!.destination.port, 11112)
  })

  it('reports "$caller" with an unknown caller address as a problem', () => {
    const result = route([rule('r', [{ '.*': { IP: '$caller', PORT: 104, AETitleTo: 'S' } }])], { callerIP: '' })
    assert.deepEqual(result.decisions, [])
    assert.match(result.problems[0]!, /caller's address is unknown/)
  })

  it('reports a destination without AETitleTo as a problem', () => {
    const result = route([rule('r', [{ '.*': { IP: 'h', PORT: 104 } }])])
    assert.deepEqual(result.decisions, [])
    assert.match(result.problems[0]!, /destination h:104 has no AETitleTo/)
  })

  it('sends the same destination chosen twice only once', () => {
    const rules = [rule('one', [{ '.*': to('A') }, { success: to('A') }]), rule('two', [{ '.*': to('A') }])]
    const result = route(rules)
    assert.equal(result.decisions.length, 1)
    assert.equal(result.decisions[0]!.rule, 'one')
    assert.equal(result.trace.filter((line) => /already chosen above; sent once/.test(line)).length, 2)
  })

  it('treats the same address with another directory or calling AE as another delivery', () => {
    const rules = [rule('out', [{ '.*': to('A') }]), rule('in', [{ '.*': to('A') }], { RouteDirectory: 'INPUT' }), rule('as', [{ '.*': to('A', { AETitleSender: 'OTHER' }) }])]
    assert.deepEqual(
      route(rules).decisions.map((d) => [d.directory, d.destination.callingAE]),
      [['output', 'MAGICKBOX'], ['input', 'MAGICKBOX'], ['output', 'OTHER']],
    )
  })

  it('uses the box\'s calling AE unless the destination names an AETitleSender', () => {
    assert.equal(route([rule('r', [{ '.*': to('A') }])]).decisions[0]!.destination.callingAE, 'MAGICKBOX')
    assert.equal(route([rule('r', [{ '.*': to('A', { AETitleSender: 'ME' }) }])]).decisions[0]!.destination.callingAE, 'ME')
  })

  it('explains each rule in the trace and each decision in its why', () => {
    const rules = [rule('off', [], { status: 0 }), rule('in', [], { AETitleIn: 'XYZ' }), rule('from', [], { AETitleFrom: 'XYZ' }), rule('hit', [{ failed: to('B') }, { '.*': to('A') }], { break: 1 })]
    const result = route(rules)
    assert.deepEqual(result.trace, [
      'rule "off": off (status 0 or enabled false)',
      'rule "in": AETitleIn /XYZ/ does not match called AE "ECHO"',
      'rule "from": AETitleFrom /XYZ/ does not match calling AE "SCANNER1"',
      'rule "hit": matches called AE "ECHO" and calling AE "SCANNER1"',
      '  send "failed": does not match outcome "success"',
      '  send ".*": matches outcome "success" → A@dest.local:104 (output)',
      'rule "hit" has break and matched: later rules are skipped',
    ])
    assert.equal(result.decisions[0]!.why, 'rule "hit" matched (called "ECHO", calling "SCANNER1") and send key ".*" matched outcome "success"')
  })
})

describe('resolveDestination', () => {
  it('turns a numeric string PORT into a number', () => {
    const address = resolveDestination({ IP: 'h', PORT: '2000', AETitleSender: undefined, AETitleTo: 'X', break: false }, FACTS, DEFAULTS)
    assert.deepEqual(address, { host: 'h', port: 2000, calledAE: 'X', callingAE: 'MAGICKBOX' })
  })
})
