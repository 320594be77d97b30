/**
 * @module explicit-le-elements
 * Data-set bytes by hand in explicit VR little endian, for tests that need exact, odd or broken
 * encodings a DICOM library would not write: an element, padded text and UID values.
 */

const LONG_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UN', 'UT'])

// One element: tag, VR, a 2- or 4-byte length as the VR asks, the value as given.
export function explicitLeElement(group: number, element: number, vr: string, value: Buffer): Buffer {
  const long = LONG_VRS.has(vr)
  const head = Buffer.alloc(long ? 12 : 8)
  head.writeUInt16LE(group, 0)
  head.writeUInt16LE(element, 2)
  head.write(vr, 4, 'latin1')
  if (long) head.writeUInt32LE(value.length, 8)
  else head.writeUInt16LE(value.length, 6)
  return Buffer.concat([head, value])
}

// A text value padded to even length with a space.
export const textValue = (text: string): Buffer => Buffer.from(text.length % 2 ? `${text} ` : text, 'latin1')

// A UID value padded to even length with a NUL.
export const uidValue = (uid: string): Buffer => Buffer.from(uid.length % 2 ? `${uid}\0` : uid, 'latin1')
