/**
 * @module fuzz-target
 * What a fuzz target is, and the contract every target checks: for any bytes, the code under
 * test returns a result or throws one of the box's own error classes, the "expected" failures
 * that the receiver turns into an A-ABORT, an A-ASSOCIATE-RJ or a failure status:
 *
 * - PduFormatError: a PDU, item, PDV or command set that does not add up (the receiver aborts)
 * - MalformedDatasetError: a data set whose elements do not add up (status 0xC000)
 * - NotPart10Error: a file without a readable Part-10 envelope (status 0xC000)
 * - InvalidUidError: a UID that is not digits and dots (status 0xC000)
 * - StoreFailure: a refusal with its DIMSE status
 *
 * Anything else thrown (TypeError, RangeError from a Buffer read, ...), a broken invariant
 * (InvariantViolation), an execution that does not end (timeout), or a huge allocation is a crash.
 */
import { MalformedDatasetError } from '../../supervisor/dicom/dataset-walker.js'
import { NotPart10Error } from '../../supervisor/dicom/part10-file.js'
import { PduFormatError } from '../../supervisor/dicom/pdu/pdu-codec.js'
import { InvalidUidError } from '../../supervisor/dicom/uid.js'
import { StoreFailure } from '../../supervisor/receiver/store-status.js'
import type { LengthField } from './length-fields.js'

export const EXPECTED_ERRORS = [PduFormatError, MalformedDatasetError, NotPart10Error, InvalidUidError, StoreFailure] as const

export function isExpectedError(error: unknown): boolean {
  return EXPECTED_ERRORS.some((kind) => error instanceof kind)
}

/** A property of the result the target checks beyond "did not crash" (a failed one is a crash). */
export class InvariantViolation extends Error {
  override name = 'InvariantViolation'
}

export function invariant(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new InvariantViolation(typeof message === 'string' ? message : message())
}

export interface FuzzTarget {
  /** Folder name under test/fuzz/corpus/ and in reports. */
  name: string
  /** What the target drives, for reports. */
  description: string
  /** Run one input; returns or throws (an expected error is fine). */
  run(input: Buffer): void | Promise<void>
  /** Where the length fields of an input are, for length-aware mutations. */
  lengthFields?(input: Buffer): LengthField[]
  /** Byte strings worth inserting (UIDs, tags, magic values). */
  dictionary?: Buffer[]
  /** Largest input the fuzzer makes. @defaultValue 16384 */
  maxLength?: number
  /** Runs code on timers or promises: coverage is reset before each execution. */
  async?: boolean
}

/** The result of `step`, or undefined when it threw an expected error; anything else is rethrown. */
export function tolerant<T>(step: () => T): T | undefined {
  try {
    return step()
  } catch (error) {
    if (isExpectedError(error)) return undefined
    throw error
  }
}

/** The result of `step`, which must not fail at all: even an expected error is a broken invariant. */
export function mustSucceed<T>(what: string, step: () => T): T {
  try {
    return step()
  } catch (error) {
    if (isExpectedError(error)) throw new InvariantViolation(`${what}: ${(error as Error).name}: ${(error as Error).message}`)
    throw error
  }
}
