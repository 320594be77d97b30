/**
 * @module association-policy
 * Which associations and presentation contexts the receiver accepts (pure decisions):
 * the box's own AE title takes C-ECHO only; an enabled stream's AE title takes storage and echo;
 * any other called AE title is rejected ("called AE title not recognized").
 */
import type { StreamDefinition } from '../streams/stream-definition.js'
import { transferSyntax } from '../dicom/transfer-syntax.js'

export const VERIFICATION_SOP_CLASS = '1.2.840.10008.1.1'

export type AssociationDecision =
  | { accept: true; role: 'echo' }
  | { accept: true; role: 'store'; stream: StreamDefinition }
  | { accept: false; reason: string }

// Decide on an association by its called AE title (compared exactly, surrounding spaces ignored).
export function decideAssociation(
  calledAE: string,
  ownAE: string,
  findStream: (aeTitle: string) => StreamDefinition | undefined,
): AssociationDecision {
  const called = calledAE.trim()
  const stream = findStream(called)
  if (stream) return { accept: true, role: 'store', stream }
  if (called === ownAE.trim()) return { accept: true, role: 'echo' }
  return { accept: false, reason: `called AE title "${called}" is not recognized (not the box's own AE title and no enabled stream has it)` }
}

/** Standard storage SOP classes live under these roots; anything outside 1.2.840.10008 is private. */
const STORAGE_ROOTS = [
  '1.2.840.10008.5.1.4.1.1.',
  '1.2.840.10008.5.1.4.34.',
  '1.2.840.10008.5.1.4.38.',
  '1.2.840.10008.5.1.4.39.',
  '1.2.840.10008.5.1.4.43.',
  '1.2.840.10008.5.1.4.44.',
  '1.2.840.10008.5.1.4.45.',
]

export function isStorageSopClass(uid: string): boolean {
  if (!uid.startsWith('1.2.840.10008.')) return /^[0-9]+(\.[0-9]+)*$/.test(uid)
  return STORAGE_ROOTS.some((root) => uid.startsWith(root))
}

export type ContextDecision =
  | { accept: true; transferSyntaxUid: string }
  | { accept: false; result: 'abstract-syntax-not-supported' | 'transfer-syntaxes-not-supported' }

// Decide on one presentation context: the first proposed transfer syntax the box can read wins.
export function decideContext(role: 'echo' | 'store', abstractSyntax: string, proposed: string[]): ContextDecision {
  const isEcho = abstractSyntax === VERIFICATION_SOP_CLASS
  if (!isEcho && (role === 'echo' || !isStorageSopClass(abstractSyntax))) {
    return { accept: false, result: 'abstract-syntax-not-supported' }
  }
  const chosen = proposed.find((uid) => transferSyntax(uid) !== undefined)
  return chosen ? { accept: true, transferSyntaxUid: chosen } : { accept: false, result: 'transfer-syntaxes-not-supported' }
}
