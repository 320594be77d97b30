#!/usr/bin/env node
/**
 * @module cli
 * `magickbox status [--json]`, `magickbox restart <unit>`, `magickbox retention`: talks to the
 * running supervisor's status API on 127.0.0.1 (the port from settings.json).
 */
import { readFile } from 'node:fs/promises'
import { userInfo } from 'node:os'
import { join } from 'node:path'
import { CONTROL_TOKEN_FILE } from './config/data-paths.js'
import { loadConfig } from './config/load-config.js'
import type { BoxStatus } from './status/box-status.js'
import { generatePassword, passwordProblem } from '../web/auth/password-hash.js'
import { UserStore } from '../web/auth/user-store.js'
import { renderText } from './status/render-status.js'

const USAGE = `usage: magickbox status [--json]      every unit, health, alerts and queues
       magickbox restart <unit>     restart a unit (e.g. receiver, sender, web, "worker ProcPics")
       magickbox retention          run retention now
       magickbox user list
       magickbox user set-password <name> [--role admin|viewer] [--keep]
                                    password from MAGICKBOX_PASSWORD or standard input, else generated;
                                    without --keep it must be changed at the next login
       magickbox user token <name> [label]   create an API token (printed once)
       magickbox user remove <name>`

async function call(port: number, method: string, path: string): Promise<Response> {
  const token = (await readFile(join(config.paths.root, CONTROL_TOKEN_FILE), 'utf8').catch(() => '')).trim()
  try {
    return await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { 'x-magickbox-token': token, 'x-magickbox-user': `${userInfo().username} (command line)` },
      signal: AbortSignal.timeout(30_000),
    })
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
  case 'user': {
    process.exitCode = await userCommand(rest)
    break
  }
  default:
    console.error(USAGE)
    process.exit(command ? 2 : 0)
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return ''
  let text = ''
  for await (const chunk of process.stdin) text += chunk
  return text.split('\n')[0]!.trim()
}

async function userCommand(args: string[]): Promise<number> {
  const users = new UserStore(join(config.paths.root, 'users.json'))
  const [sub, name, ...more] = args
  if (sub === 'list') {
    for (const u of await users.users()) console.log(`${u.name.padEnd(20)} ${u.role.padEnd(7)} password changed ${u.passwordChangedAt}${u.mustChangePassword ? ' (must change at next login)' : ''}`)
    return 0
  }
  if (!name) {
    console.error(USAGE)
    return 2
  }
  if (sub === 'set-password') {
    const roleAt = more.indexOf('--role')
    const role = roleAt >= 0 ? more[roleAt + 1] : undefined
    if (role !== undefined && role !== 'admin' && role !== 'viewer') {
      console.error('magickbox: --role is admin or viewer')
      return 2
    }
    let password = process.env.MAGICKBOX_PASSWORD ?? (await readStdin())
    const generated = !password
    if (generated) password = generatePassword()
    const problem = passwordProblem(password)
    if (problem) {
      console.error(`magickbox: ${problem}`)
      return 2
    }
    try {
      await users.setPassword(name, password, { role: role as 'admin' | 'viewer' | undefined, mustChange: !more.includes('--keep') })
    } catch (error) {
      console.error(`magickbox: ${(error as Error).message}`)
      return 2
    }
    console.log(generated ? `password of ${name}: ${password}` : `password of ${name} set`)
    return 0
  }
  if (sub === 'token') {
    try {
      console.log(await users.createToken(name, more.join(' ') || 'command line'))
    } catch (error) {
      console.error(`magickbox: ${(error as Error).message}`)
      return 2
    }
    return 0
  }
  if (sub === 'remove') {
    await users.remove(name)
    console.log(`removed ${name}`)
    return 0
  }
  console.error(USAGE)
  return 2
}
