/**
 * @module web-types
 * What every route of the web interface has at hand.
 */
import type { Config } from '../supervisor/config/load-config.js'
import type { Logger } from '../supervisor/logging/logger.js'
import type { StreamCatalog } from '../supervisor/streams/load-streams.js'
import type { LoginThrottle } from './auth/login-throttle.js'
import type { SessionStore } from './auth/sessions.js'
import type { Role, UserStore } from './auth/user-store.js'
import type { JobFiles } from './read-models/job-files.js'
import type { JobQueries } from './read-models/job-queries.js'
import type { SupervisorClient } from './supervisor-client.js'

export interface WebDeps {
  config: Config
  users: UserStore
  sessions: SessionStore
  throttle: LoginThrottle
  jobs: JobQueries
  files: JobFiles
  catalog: StreamCatalog
  supervisor: SupervisorClient
  audit: Logger
  logger: Logger
}

/** Who is asking: from the session cookie, or from an API token. */
export interface Auth {
  user: string
  role: Role
  /** The session's CSRF token; undefined for token (script) access, which sends no cookies. */
  csrf: string | undefined
  sessionId: string | undefined
}

export type WebEnv = { Variables: { auth: Auth } }
