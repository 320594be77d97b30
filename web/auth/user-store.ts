/**
 * @module user-store
 * Local users and API tokens in `$MAGICKBOX_DATA/users.json` (mode 0600): salted scrypt password
 * hashes, roles `admin` and `viewer`, a must-change flag, and tokens stored as SHA-256 hashes.
 * Written atomically; re-read when the file changes (the CLI may edit it while the web runs).
 */
import { createHash, randomBytes } from 'node:crypto'
import { chmod, stat } from 'node:fs/promises'
import { writeJsonAtomic } from '../../supervisor/fs/atomic-write.js'
import { readJsonIfExists } from '../../supervisor/fs/read-json.js'
import { hashPassword, verifyPassword } from './password-hash.js'

export type Role = 'admin' | 'viewer'

export interface UserRecord {
  name: string
  role: Role
  passwordHash: string
  mustChangePassword: boolean
  createdAt: string
  passwordChangedAt: string
}

export interface TokenRecord {
  id: string
  user: string
  label: string
  hash: string
  createdAt: string
}

interface UsersFile {
  users: UserRecord[]
  tokens: TokenRecord[]
}

export class UserError extends Error {
  override name = 'UserError'
}

export function userNameProblem(name: string): string | undefined {
  return /^[A-Za-z0-9._-]{1,64}$/.test(name) ? undefined : 'a user name is 1 to 64 letters, digits, dots, dashes or underscores'
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

export class UserStore {
  private data: UsersFile = { users: [], tokens: [] }
  private mtimeMs = -1

  constructor(readonly path: string) {}

  private async load(): Promise<UsersFile> {
    const info = await stat(this.path).catch(() => undefined)
    if (!info) {
      this.data = { users: [], tokens: [] }
      this.mtimeMs = -1
    } else if (info.mtimeMs !== this.mtimeMs) {
      const raw = await readJsonIfExists<UsersFile>(this.path)
      this.data = { users: raw?.users ?? [], tokens: raw?.tokens ?? [] }
      this.mtimeMs = info.mtimeMs
    }
    return this.data
  }

  private async save(data: UsersFile): Promise<void> {
    await writeJsonAtomic(this.path, data)
    await chmod(this.path, 0o600)
    this.data = data
    this.mtimeMs = (await stat(this.path)).mtimeMs
  }

  async users(): Promise<UserRecord[]> {
    return (await this.load()).users
  }

  async find(name: string): Promise<UserRecord | undefined> {
    return (await this.load()).users.find((u) => u.name === name)
  }

  // The user when the password is right (a missing user costs the same time as a wrong password).
  async check(name: string, password: string): Promise<UserRecord | undefined> {
    const user = await this.find(name)
    const ok = await verifyPassword(password, user?.passwordHash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA')
    return ok && user ? user : undefined
  }

  // Create or update a user's password (and role); mustChange forces a change at the next login.
  async setPassword(name: string, password: string, options: { role?: Role; mustChange: boolean }): Promise<UserRecord> {
    const problem = userNameProblem(name)
    if (problem) throw new UserError(problem)
    const data = structuredClone(await this.load())
    const now = new Date().toISOString()
    const existing = data.users.find((u) => u.name === name)
    const record: UserRecord = {
      name,
      role: options.role ?? existing?.role ?? 'viewer',
      passwordHash: await hashPassword(password),
      mustChangePassword: options.mustChange,
      createdAt: existing?.createdAt ?? now,
      passwordChangedAt: now,
    }
    data.users = [...data.users.filter((u) => u.name !== name), record]
    await this.save(data)
    return record
  }

  async remove(name: string): Promise<void> {
    const data = structuredClone(await this.load())
    data.users = data.users.filter((u) => u.name !== name)
    data.tokens = data.tokens.filter((t) => t.user !== name)
    await this.save(data)
  }

  // A new API token for a user; the secret is returned once and only its hash is kept.
  async createToken(user: string, label: string): Promise<string> {
    if (!(await this.find(user))) throw new UserError(`no user ${user}`)
    const data = structuredClone(await this.load())
    const id = randomBytes(6).toString('hex')
    const secret = randomBytes(24).toString('base64url')
    const token = `mbx_${id}_${secret}`
    data.tokens.push({ id, user, label: label.slice(0, 100), hash: sha256(token), createdAt: new Date().toISOString() })
    await this.save(data)
    return token
  }

  async userForToken(token: string): Promise<UserRecord | undefined> {
    const match = /^mbx_([0-9a-f]{12})_[A-Za-z0-9_-]{32}$/.exec(token)
    if (!match) return undefined
    const data = await this.load()
    const record = data.tokens.find((t) => t.id === match[1] && t.hash === sha256(token))
    return record ? data.users.find((u) => u.name === record.user) : undefined
  }
}
