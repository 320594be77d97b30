/**
 * @module implementation
 * How the box names itself in file meta headers and associations.
 */
import { readFileSync } from 'node:fs'

/** Our Implementation Class UID (a 2.25 UUID-derived root, fixed for the product). */
export const IMPLEMENTATION_CLASS_UID = '2.25.140109396276553356021109117348396399824'

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }
    return pkg.version ?? '0'
  } catch {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string }
      return pkg.version ?? '0'
    } catch {
      return '0'
    }
  }
}

/** Implementation Version Name: at most 16 characters. */
export const IMPLEMENTATION_VERSION_NAME = `MAGICKBOX_${packageVersion()}`.slice(0, 16)
