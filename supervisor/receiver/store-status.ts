/**
 * @module store-status
 * The C-STORE response statuses the receiver answers with (PS3.4 B.2.3, PS3.7 C).
 */
export const StoreStatus = {
  Success: 0x0000,
  /** Out of resources: the disk is full or cannot be written. */
  OutOfResources: 0xa700,
  /** The data set does not match the command (SOP Instance UID differs). */
  DataSetDoesNotMatchSopClass: 0xa900,
  /** Cannot understand: malformed data set, bad UID, missing StudyInstanceUID. */
  CannotUnderstand: 0xc000,
  /** Refused: this association may not store (e.g. sent to the box's own AE title). */
  NotAuthorized: 0x0124,
  ProcessingFailure: 0x0110,
} as const

export type StoreStatusCode = (typeof StoreStatus)[keyof typeof StoreStatus]

/** A failure with the status to answer and a comment for the sender and the log. */
export class StoreFailure extends Error {
  override name = 'StoreFailure'
  constructor(
    readonly status: StoreStatusCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

// A size for messages: KB below a megabyte, MB below a gigabyte, else GB.
export function sizeText(bytes: number): string {
  if (bytes < 1024 ** 2) return `${Math.round(bytes / 1024)} KB`
  if (bytes < 1024 ** 3) return `${Math.round(bytes / 1024 ** 2)} MB`
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`
}
