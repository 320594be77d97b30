/**
 * @module server
 * Entry of the web interface, a child process of the supervisor: loads the configuration,
 * creates the first admin when there are no users, and serves the app on the web port: over
 * HTTPS when the box has a certificate (settings `tls`), so passwords never cross the network in
 * clear; then the port speaks nothing else.
 */
import { serve } from '@hono/node-server'
import { createServer as createHttpsServer } from 'node:https'
import { join } from 'node:path'
import { CONTROL_TOKEN_FILE } from '../supervisor/config/data-paths.js'
import { loadConfig, packageRoot } from '../supervisor/config/load-config.js'
import { createLogger, loggerOptions } from '../supervisor/logging/logger.js'
import { StreamCatalog } from '../supervisor/streams/load-streams.js'
import { answerLivenessProbes } from '../supervisor/supervision/liveness-probe.js'
import { readTlsMaterial } from '../supervisor/tls/tls-material.js'
import { createApp } from './app.js'
import { ensureFirstAdmin } from './auth/first-admin.js'
import { LoginThrottle } from './auth/login-throttle.js'
import { SessionStore } from './auth/sessions.js'
import { UserStore } from './auth/user-store.js'
import { JobFiles } from './read-models/job-files.js'
import { JobQueries } from './read-models/job-queries.js'
import { SupervisorClient } from './supervisor-client.js'

const config = await loadConfig()
const logger = createLogger('web', loggerOptions(config.paths, config.settings.logs))
const audit = createLogger('audit', { ...loggerOptions(config.paths, config.settings.logs), console: false })
const users = new UserStore(join(config.paths.root, 'users.json'))
await ensureFirstAdmin(users, config.paths.root, (text) => process.stdout.write(`${text}\n`))
const jobs = new JobQueries(config.paths.index)
const app = createApp(
  {
    config,
    users,
    sessions: new SessionStore(),
    throttle: new LoginThrottle(),
    jobs,
    files: new JobFiles(config.paths.scratch),
    catalog: new StreamCatalog(config.streamsDir),
    supervisor: new SupervisorClient(config.settings.statusPort, join(config.paths.root, CONTROL_TOKEN_FILE)),
    audit,
    logger,
  },
  join(packageRoot(), 'web', 'static'),
)

const tls = config.settings.tls.web ? readTlsMaterial(config.settings.tls, config.paths.root) : undefined
const https = tls && { createServer: createHttpsServer, serverOptions: { cert: tls.certificate, key: tls.key, minVersion: 'TLSv1.2' as const } }
const server = serve({ fetch: app.fetch, port: config.settings.webPort, ...https }, (info) => {
  logger.info(`web interface on ${tls ? 'https' : 'http'}://0.0.0.0:${info.port}/`)
  if (process.connected) process.send?.({ type: 'ready', port: info.port })
})
server.on('error', (error: Error) => {
  logger.error(`cannot serve on port ${config.settings.webPort}: ${error.message}`)
  process.exit(2)
})

const stop = (why: string) => {
  logger.info(`stopping (${why})`)
  server.close()
  jobs.close()
  setTimeout(() => process.exit(0), 2000).unref()
}
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
process.on('disconnect', () => stop('the supervisor went away'))
// The supervisor's liveness probes (a hung web server is restarted like one that exited).
answerLivenessProbes()
