/**
 * @module routing-routes
 * The routing page: view, check and save routing.json (bad JSON or unknown fields never reach
 * the file), test rules, C-ECHO destinations, read the routing log.
 */
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Hono } from 'hono'
import { ScuAssociation } from '../../supervisor/dicom/scu-association.js'
import { VERIFICATION_SOP_CLASS } from '../../supervisor/dicom/pdu/dimse-command.js'
import { writeFileAtomic } from '../../supervisor/fs/atomic-write.js'
import { resolveDestination, routeJob } from '../../supervisor/routing/route-job.js'
import { parseRoutingTable, type RoutingTable } from '../../supervisor/routing/routing-table.js'
import { describeTls, resolveTlsFiles, type DestinationTls } from '../../supervisor/tls/destination-tls.js'
import { findJsonError } from '../json-syntax.js'
import { requireAdmin } from '../middleware/authenticate.js'
import { routingPage, type RoutingPageData } from '../views/routing-view.js'
import type { WebDeps, WebEnv } from '../web-types.js'

export const EXAMPLE_ROUTING = `{
  "routing": [
    {
      "name": "results back to the default destination",
      "AETitleIn": ".*",
      "send": [{ "success|partial": { "IP": "$me", "PORT": "$port" } }]
    }
  ]
}
`

// JSON.parse with the line and column of a syntax error.
export function parseJsonText(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) }
  } catch (error) {
    const where = findJsonError(text)
    return { error: where ? `not valid JSON at line ${where.line}, column ${where.column}: ${where.message}` : `not valid JSON: ${(error as Error).message}` }
  }
}

// Check routing.json text; the table, or every problem.
export function checkRouting(text: string): { table: RoutingTable } | { problems: string[] } {
  const parsed = parseJsonText(text)
  if ('error' in parsed) return { problems: [parsed.error] }
  try {
    return { table: parseRoutingTable(parsed.value) }
  } catch (error) {
    return { problems: (error as Error).message.split('; ') }
  }
}

// The last `lines` lines of the routing log ('' when there is none).
export async function routingLogTail(logsDir: string, lines: number): Promise<string> {
  const text = await readFile(join(logsDir, 'routing.log'), 'utf8').catch(() => '')
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

export async function echoDestination(target: { host: string; port: number; calledAE: string; callingAE: string; tls?: DestinationTls }): Promise<string> {
  const started = Date.now()
  try {
    const association = await ScuAssociation.open({ ...target, connectTimeoutMs: 5000, responseTimeoutMs: 5000, maxPduLength: 16384 }, [
      { abstractSyntax: VERIFICATION_SOP_CLASS, transferSyntax: '1.2.840.10008.1.2' },
    ])
    const response = await association.echo()
    await association.release()
    return response.status === 0 ? `ok: ${target.calledAE}@${target.host}:${target.port}${describeTls(target.tls)} answered C-ECHO in ${Date.now() - started} ms` : `answered status 0x${response.status.toString(16)}`
  } catch (error) {
    return `failed: ${(error as Error).message}`
  }
}

export function routingRoutes(deps: WebDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>()
  const path = deps.config.paths.routing

  const data = async (text: string | undefined, problems: string[], query: Record<string, string | undefined>): Promise<RoutingPageData> => {
    const saved = await readFile(path, 'utf8').catch(() => undefined)
    const shown = text ?? saved ?? EXAMPLE_ROUTING
    const checked = saved === undefined ? undefined : checkRouting(saved)
    const table = checked && 'table' in checked ? checked.table : undefined
    const settings = deps.config.settings
    const defaults = { defaultDestination: settings.defaultDestination, callingAE: settings.delivery.callingAE }
    const test = {
      calledAE: query.calledAE ?? '',
      callingAE: query.callingAE ?? '',
      callerIP: query.callerIP ?? '127.0.0.1',
      outcome: query.outcome ?? 'success',
      result: undefined as ReturnType<typeof routeJob> | undefined,
    }
    if (table && test.calledAE) test.result = routeJob(table, test, defaults)
    const destinations: RoutingPageData['destinations'] = []
    for (const rule of table?.rules ?? []) {
      for (const entry of rule.send) {
        for (const target of entry.targets) {
          const address = resolveDestination(target.destination, { calledAE: '', callingAE: '', callerIP: '', outcome: '' }, defaults)
          if (typeof address !== 'string' && !destinations.some((d) => d.host === address.host && d.port === address.port && d.calledAE === address.calledAE)) {
            destinations.push({ ...address, rule: rule.name })
          }
        }
      }
    }
    const log = await routingLogTail(deps.config.paths.logs, 200)
    const noRouting = saved === undefined ? ['there is no routing.json yet: nothing is sent; the editor shows an example'] : []
    return { text: shown, problems: [...problems, ...(text === undefined && checked && 'problems' in checked ? checked.problems : [])], destinations, test, log: log || noRouting.join('') }
  }

  app.get('/routing', async (c) => {
    const done = c.req.query('done')
    return c.html(routingPage(c.get('auth'), await data(undefined, [], c.req.query()), done ? { kind: 'ok', text: done.slice(0, 300) } : undefined))
  })

  app.post('/routing', requireAdmin(), async (c) => {
    const text = String((await c.req.parseBody()).routing ?? '')
    const checked = checkRouting(text)
    if ('problems' in checked) return c.html(routingPage(c.get('auth'), await data(text, checked.problems, {})), 400)
    await writeFileAtomic(path, text.endsWith('\n') ? text : `${text}\n`)
    deps.audit.info(`${c.get('auth').user} saved routing.json (${checked.table.rules.length} rule(s): ${checked.table.rules.map((r) => r.name).join(', ')})`)
    return c.redirect(`/routing?done=${encodeURIComponent(`routing.json saved: ${checked.table.rules.length} rule(s). It applies to the next job that finishes.`)}`, 303)
  })

  // Admins only: a C-ECHO makes the box open a connection to any host and port it is given.
  app.post('/routing/echo', requireAdmin(), async (c) => {
    const body = await c.req.parseBody()
    const target = { host: String(body.host ?? ''), port: Number(body.port), calledAE: String(body.calledAE ?? ''), callingAE: String(body.callingAE ?? deps.config.settings.delivery.callingAE) }
    if (!target.host || !Number.isInteger(target.port) || target.port < 1 || target.port > 65535 || !target.calledAE) return c.text('C-ECHO needs a host, a port and an AE title.', 400)
    // A destination of routing.json is tested the way jobs reach it (over TLS when it says so).
    const known = (await data(undefined, [], {})).destinations.find((d) => d.host === target.host && d.port === target.port && d.calledAE === target.calledAE)
    const result = await echoDestination({ ...target, tls: known?.tls && resolveTlsFiles(known.tls, dirname(path)) })
    deps.audit.info(`${c.get('auth').user} tested ${target.calledAE}@${target.host}:${target.port} with C-ECHO: ${result}`)
    return c.html(routingPage(c.get('auth'), await data(undefined, [], {}), { kind: result.startsWith('ok') ? 'ok' : 'error', text: `C-ECHO ${result}` }))
  })

  return app
}
