/**
 * @module dicom-dictionary
 * Byte strings the fuzzer inserts whole: UIDs, tags, VRs, item and delimiter tags, PDU and item
 * headers. A mutation that would need many lucky bytes to build one of them gets it in one step.
 */
const hex = (h: string) => Buffer.from(h.replace(/ /g, ''), 'hex')
const text = (t: string) => Buffer.from(t, 'latin1')

const UIDS = [
  '1.2.840.10008.3.1.1.1',
  '1.2.840.10008.1.1',
  '1.2.840.10008.5.1.4.1.1.2',
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2.1.99',
  '1.2.840.10008.1.2.2',
  '1.2.840.10008.1.2.4.50',
].map(text)

export const PDU_DICTIONARY: Buffer[] = [
  ...UIDS,
  hex('01 00 00 00 00 44'), // A-ASSOCIATE-RQ header
  hex('04 00 00 00 00 0c'), // P-DATA-TF header
  hex('05 00 00 00 00 04 00 00 00 00'), // A-RELEASE-RQ
  hex('07 00 00 00 00 04 00 00 00 00'), // A-ABORT
  hex('00 01 00 00'), // protocol version
  hex('10 00 00 15'), // application context item
  hex('20 00 00 2e 01 00 ff 00'), // presentation context item
  hex('30 00 00 11'),
  hex('40 00 00 13'),
  hex('50 00 00 3a'), // user information item
  hex('51 00 00 04 00 00 40 00'), // maximum length
  hex('52 00 00 08'),
  hex('55 00 00 04'),
  hex('00 00 00 02'), // PDV length, context, control
  hex('01 03'),
  hex('01 02'),
  hex('00 00 00 00 04 00 00 00'), // command group length
  hex('00 00 00 01 02 00 00 00 01 00'), // Command Field: C-STORE-RQ
  hex('00 00 00 01 02 00 00 00 30 00'), // Command Field: C-ECHO-RQ
  hex('00 00 10 01 02 00 00 00 01 00'), // Message ID
  hex('00 00 00 08 02 00 00 00 01 01'), // no data set
  hex('00 00 00 08 02 00 00 00 00 00'), // a data set follows
  hex('00 00 02 00'),
  hex('00 00 00 10'),
  text('MAGICKBOX       '),
  text('FUZZSTORE       '),
]

export const DATASET_DICTIONARY: Buffer[] = [
  ...UIDS,
  text('DICM'),
  ...['UI', 'SQ', 'UN', 'OB', 'OW', 'UT', 'CS', 'PN', 'LO', 'DA', 'UL', 'US', 'SH', 'AE'].map(text),
  hex('fe ff 00 e0'), // item
  hex('fe ff 0d e0'), // item delimitation
  hex('fe ff dd e0'), // sequence delimitation
  hex('ff ff ff ff'), // undefined length
  hex('02 00 10 00'), // (0002,0010) Transfer Syntax UID
  hex('02 00 00 00 55 4c 04 00'), // (0002,0000) UL
  hex('08 00 05 00'), // Specific Character Set
  hex('08 00 16 00'),
  hex('08 00 18 00'), // SOP Instance UID
  hex('10 00 10 00'),
  hex('20 00 0d 00'), // Study Instance UID
  hex('20 00 0e 00'),
  hex('e0 7f 10 00'), // Pixel Data
  hex('00 08 00 18'), // big-endian tags
  hex('00 20 00 0d'),
  hex('ff fe e0 00'),
  text('ISO_IR 192'),
  text('ISO_IR 100'),
]
