/**
 * @module transfer-syntax
 * The transfer syntaxes the box accepts and how each one encodes the data set outside the pixel
 * data (which is all we ever read: pixel data is stored and forwarded untouched).
 */

/** How the data set's elements are encoded. */
export type DatasetEncoding = 'implicit-le' | 'explicit-le' | 'explicit-be' | 'deflated-explicit-le'

export interface TransferSyntax {
  uid: string
  name: string
  encoding: DatasetEncoding
}

const list: TransferSyntax[] = [
  { uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian', encoding: 'implicit-le' },
  { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.1.99', name: 'Deflated Explicit VR Little Endian', encoding: 'deflated-explicit-le' },
  { uid: '1.2.840.10008.1.2.2', name: 'Explicit VR Big Endian', encoding: 'explicit-be' },
  { uid: '1.2.840.10008.1.2.4.50', name: 'JPEG Baseline (Process 1)', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.51', name: 'JPEG Extended (Process 2 & 4)', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.57', name: 'JPEG Lossless (Process 14)', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.70', name: 'JPEG Lossless SV1', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.80', name: 'JPEG-LS Lossless', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.81', name: 'JPEG-LS Near-Lossless', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.90', name: 'JPEG 2000 Lossless', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.91', name: 'JPEG 2000', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.92', name: 'JPEG 2000 Part 2 Multi-component Lossless', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.93', name: 'JPEG 2000 Part 2 Multi-component', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.201', name: 'HTJ2K Lossless', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.202', name: 'HTJ2K Lossless RPCL', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.203', name: 'HTJ2K', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.100', name: 'MPEG2 Main Profile', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.101', name: 'MPEG2 High Profile', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.102', name: 'MPEG-4 AVC/H.264 High Profile', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.103', name: 'MPEG-4 AVC/H.264 BD-compatible', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.104', name: 'MPEG-4 AVC/H.264 High Profile For 2D Video', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.105', name: 'MPEG-4 AVC/H.264 High Profile For 3D Video', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.106', name: 'MPEG-4 AVC/H.264 Stereo High Profile', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.107', name: 'HEVC/H.265 Main Profile', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.4.108', name: 'HEVC/H.265 Main 10 Profile', encoding: 'explicit-le' },
  { uid: '1.2.840.10008.1.2.5', name: 'RLE Lossless', encoding: 'explicit-le' },
]

const byUid = new Map(list.map((ts) => [ts.uid, ts]))

export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2'
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1'

// The known transfer syntax for a UID, or undefined for one we cannot read.
export function transferSyntax(uid: string): TransferSyntax | undefined {
  return byUid.get(uid)
}

// A readable name for logs: the syntax's name, or the UID itself.
export function transferSyntaxName(uid: string): string {
  return byUid.get(uid)?.name ?? uid
}
