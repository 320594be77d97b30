/**
 * @module password-hash
 * Salted scrypt password hashes: `scrypt$N$r$p$<salt base64>$<hash base64>`.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'

const scrypt = promisify(scryptCallback) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>
const N = 16384
const R = 8
const P = 1
const KEY_LENGTH = 64

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const hash = await scrypt(password, salt, KEY_LENGTH, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 })
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !hash) return false
  const expected = Buffer.from(hash, 'base64')
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 })
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

// A password people can type: 18 random bytes, base64url (24 characters).
export function generatePassword(): string {
  return randomBytes(18).toString('base64url')
}

export const PASSWORD_RULE = 'at least 10 characters'

export function passwordProblem(password: string): string | undefined {
  if (password.length < 10) return `the password must have ${PASSWORD_RULE}`
  if (password.length > 200) return 'the password is too long'
  return undefined
}
