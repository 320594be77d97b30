/**
 * @module uid
 * DICOM UIDs as they arrive on the wire: digits and dots, at most 64 characters. A UID that
 * passes {@link isSafeUid} can be used as a file name.
 */

// Strip the NUL or space padding a UID may carry to reach an even length.
export function cleanUid(raw: string | undefined): string {
  return (raw ?? '').replace(/[\0 ]+$/, '').replace(/^ +/, '')
}

// True for a UID that is digits and dots, each component non-empty, 1 to 64 characters.
export function isSafeUid(uid: string): boolean {
  return uid.length > 0 && uid.length <= 64 && /^[0-9]+(\.[0-9]+)*$/.test(uid)
}

export class InvalidUidError extends Error {
  override name = 'InvalidUidError'
  constructor(
    readonly what: string,
    readonly value: string,
  ) {
    super(`${what} ${JSON.stringify(value.slice(0, 80))} is not a valid UID (digits and dots, at most 64 characters)`)
  }
}

// The cleaned UID, or InvalidUidError naming what it was.
export function requireSafeUid(what: string, raw: string | undefined): string {
  const uid = cleanUid(raw)
  if (!isSafeUid(uid)) throw new InvalidUidError(what, raw ?? '')
  return uid
}
