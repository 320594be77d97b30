/**
 * routing.json in the original MagickBox format: what parses, what is refused, and that every
 * problem is reported at once.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseRoutingTable, RoutingTableError } from '../../../supervisor/routing/routing-table.js'

// A routing.json as the original MagickBox wrote it.
const ORIGINAL = {
  routing: [
    {
      name: 'send back',
      AETitleIn: 'ECHO',
      AETitleFrom: '.*',
      status: 1,
      break: 0,
      send: [
        { 'success|partial': { IP: '$me', PORT: '$port', AETitleSender: 'MAGICKBOX', AETitleTo: 'PACS', break: 1 } },
        { '.*': { IP: '10.0.0.9', PORT: 104, AETitleSender: 'MB', AETitleTo: 'ARCHIVE', break: 0 } },
      ],
    },
    { name: 'inputs too', AETitleIn: 'RAW', RouteDirectory: 'INPUT', send: [{ failed: { IP: '$caller', PORT: '11112', AETitleTo: 'SCANNER' } }] },
  ],
}

// The message of the RoutingTableError that `input` raises.
function problemsOf(input: unknown): string {
  try {
    parseRoutingTable(input)
  } catch (error) {
    assert.ok(error instanceof RoutingTableError, `expected RoutingTableError, got ${String(error)}`)
    return error.message
  }
  assert.fail('expected the routing table to be refused')
}

const withRule = (rule: Record<string, unknown>) => ({
  routing: [{ name: 'r', send: [{ '.*': { IP: 'host', PORT: 104, AETitleTo: 'PACS' } }], ...rule }],
})
const withDestination = (destination: Record<string, unknown>) => ({ routing: [{ name: 'r', send: [{ '.*': destination }] }] })

describe('parseRoutingTable', () => {
  it('parses the original MagickBox format', () => {
    const table = parseRoutingTable(ORIGINAL)
    assert.equal(table.rules.length, 2)
    const [first, second] = table.rules
    assert.equal(first!.name, 'send back')
    assert.equal(first!.on, true)
    assert.equal(first!.break, false)
    assert.equal(first!.directory, 'output')
    assert.deepEqual(
      first!.send.map((entry) => entry.targets.map((t) => t.pattern)),
      [['success|partial'], ['.*']],
    )
    assert.deepEqual(first!.send[0]!.targets[0]!.destination, { IP: '$me', PORT: '$port', AETitleSender: 'MAGICKBOX', AETitleTo: 'PACS', break: true })
    assert.deepEqual(first!.send[1]!.targets[0]!.destination, { IP: '10.0.0.9', PORT: 104, AETitleSender: 'MB', AETitleTo: 'ARCHIVE', break: false })
    assert.equal(second!.directory, 'input')
    assert.equal(second!.AETitleFrom, undefined)
    assert.equal(second!.send[0]!.targets[0]!.destination.AETitleSender, undefined)
  })

  it('compiles AE title and outcome patterns unanchored and case-insensitive', () => {
    const rule = parseRoutingTable(ORIGINAL).rules[0]!
    assert.ok(rule.AETitleIn!.test('my-echo-stream'))
    assert.ok(rule.send[0]!.targets[0]!.regex.test('SUCCESS'))
    assert.equal(rule.AETitleIn!.test('ECH'), false)
  })

  it('names a rule without a name by its position', () => {
    const table = parseRoutingTable({ routing: [{ send: [] }, { send: [] }] })
    assert.deepEqual(table.rules.map((r) => r.name), ['rule 1', 'rule 2'])
  })

  it('accepts an empty routing array', () => {
    assert.deepEqual(parseRoutingTable({ routing: [] }), { rules: [] })
  })

  it('refuses input without a routing array', () => {
    for (const input of [null, [], 'x', {}, { routing: {} }]) {
      assert.match(problemsOf(input), /must be an object with a "routing" array/)
    }
  })

  it('refuses unknown top-level, rule and destination fields by name', () => {
    assert.match(problemsOf({ routing: [], extra: 1 }), /unknown top-level field\(s\): extra/)
    assert.match(problemsOf(withRule({ AETitelIn: 'X' })), /routing\[0\] \("r"\)\.AETitelIn is not a known rule field/)
    assert.match(problemsOf(withDestination({ IP: 'h', PORT: 1, AETitleTo: 'P', Port: 2 })), /\["\.\*"\]\.Port is not a known destination field/)
  })

  it('refuses the original\'s which and sendErrorAsDcm with a clear message', () => {
    assert.match(problemsOf(withRule({ which: 'x' })), /routing\[0\] \("r"\)\.which \(the original's "which"\) is not supported yet; remove it from the rule/)
    assert.match(
      problemsOf(withDestination({ IP: 'h', PORT: 1, AETitleTo: 'P', sendErrorAsDcm: 1 })),
      /\.sendErrorAsDcm \(the original's "sendErrorAsDcm"\) is not supported yet; remove it from the destination/,
    )
  })

  it('refuses a pattern that is not a valid regular expression, naming where it is', () => {
    assert.match(problemsOf(withRule({ AETitleIn: '(' })), /routing\[0\] \("r"\)\.AETitleIn is not a valid regular expression/)
    assert.match(problemsOf(withRule({ AETitleFrom: 5 })), /AETitleFrom must be a string/)
    assert.match(problemsOf({ routing: [{ send: [{ '[a-': { IP: 'h', PORT: 1, AETitleTo: 'P' } }] }] }), /send\[0\] key "\[a-" is not a valid regular expression/)
  })

  it('refuses a bad PORT and accepts a number, digits or "$port"', () => {
    for (const PORT of [0, 65536, 1.5, -1, 'abc', '', undefined, '$PORT']) {
      assert.match(problemsOf(withDestination({ IP: 'h', PORT, AETitleTo: 'P' })), /PORT must be a port number or "\$port"/, `PORT ${String(PORT)}`)
    }
    for (const PORT of [1, 65535, '104', '$port']) parseRoutingTable(withDestination({ IP: 'h', PORT, AETitleTo: 'P' }))
  })

  it('refuses a PORT given as a string of digits outside 1-65535', () => {
    for (const PORT of ['70000', '99999', '0']) {
      assert.match(problemsOf(withDestination({ IP: 'h', PORT, AETitleTo: 'P' })), /PORT must be a port number or "\$port"/, `PORT ${PORT}`)
    }
  })

  it('requires an IP and checks AE titles of destinations', () => {
    assert.match(problemsOf(withDestination({ PORT: 1, AETitleTo: 'P' })), /\.IP is required/)
    assert.match(problemsOf(withDestination({ IP: ' ', PORT: 1, AETitleTo: 'P' })), /\.IP is required/)
    assert.match(problemsOf(withDestination({ IP: 'h', PORT: 1, AETitleTo: 'A'.repeat(17) })), /AETitleTo must be an AE title of 1 to 16 characters/)
    assert.match(problemsOf(withDestination({ IP: 'h', PORT: 1, AETitleSender: 'A\\B' })), /AETitleSender must be an AE title/)
  })

  it('turns a rule off with status 0 (number or string) or enabled false', () => {
    const off = [{ status: 0 }, { status: '0' }, { enabled: false }, { status: 1, enabled: false }]
    for (const rule of off) assert.equal(parseRoutingTable(withRule(rule)).rules[0]!.on, false, JSON.stringify(rule))
    const on = [{}, { status: 1 }, { status: '1' }, { enabled: true }]
    for (const rule of on) assert.equal(parseRoutingTable(withRule(rule)).rules[0]!.on, true, JSON.stringify(rule))
  })

  it('refuses a status other than 0/1 and an enabled that is not a boolean', () => {
    assert.match(problemsOf(withRule({ status: 2 })), /status must be 0 or 1/)
    assert.match(problemsOf(withRule({ enabled: 'no' })), /enabled must be true or false/)
    assert.match(problemsOf(withRule({ break: 'yes' })), /\.break must be 0\/1 or true\/false/)
  })

  it('reads RouteDirectory INPUT and OUTPUT, defaulting to output, and refuses anything else', () => {
    assert.equal(parseRoutingTable(withRule({ RouteDirectory: 'INPUT' })).rules[0]!.directory, 'input')
    assert.equal(parseRoutingTable(withRule({ RouteDirectory: 'OUTPUT' })).rules[0]!.directory, 'output')
    assert.equal(parseRoutingTable(withRule({})).rules[0]!.directory, 'output')
    assert.match(problemsOf(withRule({ RouteDirectory: 'input' })), /RouteDirectory must be "OUTPUT" or "INPUT"/)
  })

  it('refuses a rule without a send array and send entries that are not objects', () => {
    assert.match(problemsOf({ routing: [{ name: 'x' }] }), /\("x"\)\.send must be an array/)
    assert.match(problemsOf({ routing: [{ send: [[]] }] }), /routing\[0\]\.send\[0\] must be an object/)
    assert.match(problemsOf({ routing: [{ send: [{ '.*': 'host:104' }] }] }), /must be an object with IP, PORT/)
    assert.match(problemsOf({ routing: ['rule'] }), /routing\[0\] must be an object/)
  })

  it('lists every problem in one error', () => {
    const message = problemsOf({
      extra: true,
      routing: [
        { name: 'a', which: 1, status: 7, send: [{ '.*': { IP: '', PORT: 'x' } }] },
        { name: 'b', AETitleIn: '(', RouteDirectory: 'SIDEWAYS', send: [] },
      ],
    })
    for (const expected of [
      /unknown top-level field/,
      /\("a"\)\.which/,
      /\("a"\)\.status must be 0 or 1/,
      /\("a"\)\.send\[0\]\["\.\*"\]\.IP is required/,
      /\("a"\)\.send\[0\]\["\.\*"\]\.PORT must be/,
      /\("b"\)\.RouteDirectory must be/,
      /\("b"\)\.AETitleIn is not a valid regular expression/,
    ]) {
      assert.match(message, expected)
    }
  })
})
