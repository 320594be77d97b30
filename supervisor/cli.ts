#!/usr/bin/env node
/**
 * @module cli
 * `magickbox status [--json]`, `magickbox restart <unit>`, `magickbox retention`: talks to the
 * running supervisor's status API on 127.0.0.1 (the port from settings.json).
 */
import { loadConfig } from './config/load-config.js'
import type { BoxStatus } from './status/box-status.js'
import { renderText } from './status/render-status.js'

const USAGE = `usage: magickbox status [--json]      every unit, health, alerts and queues
       magickbox restart <unit>     restart a unit (e.g. receiver, sender, "worker ProcPics")
       magickbox retention          run retention now`

async function call(port: number, method: string, path: string): Promise<Response> {
  try {
    return await fetch(`http://127.0.0.1:${port}${path}`, { method, signal: AbortSignal.timeout(30_000) })
  } catch (error) {
    console.error(`magickbox: the supervisor does not answer on 127.0.0.1:${port} (${(error as Error).cause ?? (error as Error).message}); is it running?`)
    process.exit(3)
  }
}

const [command, ...rest] = process.argv.slice(2)
const config = await loadConfig()
const port = config.settings.statusPort
switch (command) {
  case 'status': {
    const status = (await (await call(port, 'GET', '/status.json')).json()) as BoxStatus
    process.stdout.write(rest.includes('--json') ? `${JSON.stringify(status, null, 2)}\n` : renderText(status))
    process.exitCode = status.units.some((u) => u.state === 'given-up') || status.alerts.some((a) => a.level === 'critical') ? 1 : 0
    break
  }
  case 'restart': {
    const unit = rest.join(' ')
    if (!unit) {
      console.error(USAGE)
      process.exit(2)
    }
    const response = await call(port, 'POST', `/units/${encodeURIComponent(unit)}/restart`)
    const body = (await response.json()) as { error?: string }
    if (!response.ok) {
      console.error(`magickbox: ${body.error ?? response.statusText}`)
      process.exit(1)
    }
    console.log(`restarted ${unit}`)
    break
  }
  case 'retention': {
    const response = await call(port, 'POST', '/retention/run')
    console.log(JSON.stringify(await response.json(), null, 2))
    break
  }
  default:
    console.error(USAGE)
    process.exit(command ? 2 : 0)
}
