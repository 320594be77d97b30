/**
 * @module sessions
 * Login sessions, in memory: a random id in an HttpOnly SameSite=Strict cookie, a CSRF token per
 * session, an idle timeout. A new id at every login (no fixation); logout forgets it.
 */
import { randomBytes } from 'node:crypto'
import type { Role } from './user-store.js'

export interface Session {
  id: string
  user: string
  role: Role
  csrf: string
  mustChangePassword: boolean
  createdAt: number
  lastSeen: number
}

export const SESSION_COOKIE = 'mb_session'

export class SessionStore {
  private readonly sessions = new Map<string, Session>()

  constructor(private readonly idleMs = 8 * 3600_000) {}

  create(user: string, role: Role, mustChangePassword: boolean): Session {
    const now = Date.now()
    const session: Session = { id: randomBytes(32).toString('base64url'), user, role, csrf: randomBytes(24).toString('base64url'), mustChangePassword, createdAt: now, lastSeen: now }
    this.sessions.set(session.id, session)
    return session
  }

  get(id: string | undefined): Session | undefined {
    if (!id) return undefined
    const session = this.sessions.get(id)
    if (!session) return undefined
    if (Date.now() - session.lastSeen > this.idleMs) {
      this.sessions.delete(id)
      return undefined
    }
    session.lastSeen = Date.now()
    return session
  }

  destroy(id: string): void {
    this.sessions.delete(id)
  }

  // Sessions of a user end when their password changes elsewhere (except the one changing it).
  destroyUser(user: string, except?: string): void {
    for (const [id, s] of this.sessions) if (s.user === user && id !== except) this.sessions.delete(id)
  }
}
