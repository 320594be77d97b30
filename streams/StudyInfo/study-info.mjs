#!/usr/bin/env node
// Study inventory: a MagickBox stream that needs only Node.js.
// Usage: node study-info.mjs INPUT_DIR OUTPUT_DIR
// Reads the header of every DICOM Part-10 file in INPUT_DIR (no pixel data) and writes
// OUTPUT_DIR/study-info.json, OUTPUT_DIR/study-info.txt and OUTPUT_DIR/proc.json.
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { inflateRawSync } from 'node:zlib'

const [input, output] = process.argv.slice(-2)
if (!input || !output) {
  console.error('usage: study-info.mjs INPUT_DIR OUTPUT_DIR')
  process.exit(2)
}

const WANTED = {
  0x00080005: 'SpecificCharacterSet', 0x00080016: 'SOPClassUID', 0x00080018: 'SOPInstanceUID', 0x00080020: 'StudyDate',
  0x00080050: 'AccessionNumber', 0x00080060: 'Modality', 0x00081030: 'StudyDescription', 0x0008103e: 'SeriesDescription',
  0x00100010: 'PatientName', 0x00100020: 'PatientID', 0x0020000d: 'StudyInstanceUID', 0x0020000e: 'SeriesInstanceUID',
  0x00200011: 'SeriesNumber', 0x00200013: 'InstanceNumber', 0x00280010: 'Rows', 0x00280011: 'Columns', 0x00280008: 'NumberOfFrames',
}
const LONG = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV'])
const US_TAGS = new Set([0x00280010, 0x00280011])

function walkFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walkFiles(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [])
}

// Skip the items of an undefined-length sequence; returns the offset after its delimiter.
function skipSequence(b, offset, big, explicit) {
  for (;;) {
    const tag = readTag(b, offset, big)
    const len = big ? b.readUInt32BE(offset + 4) : b.readUInt32LE(offset + 4)
    if (tag === 0xfffee0dd) return offset + 8
    if (len !== 0xffffffff) { offset += 8 + len; continue }
    offset += 8
    for (;;) {
      if (readTag(b, offset, big) === 0xfffee00d) { offset += 8; break }
      offset = readElement(b, offset, big, explicit).next
    }
  }
}

function readTag(b, o, big) {
  return big ? ((b.readUInt16BE(o) << 16) | b.readUInt16BE(o + 2)) >>> 0 : ((b.readUInt16LE(o) << 16) | b.readUInt16LE(o + 2)) >>> 0
}

function readElement(b, o, big, explicit) {
  const tag = readTag(b, o, big)
  let vr = '', len, value
  if (explicit && tag >>> 16 !== 0xfffe) {
    vr = b.toString('latin1', o + 4, o + 6)
    if (LONG.has(vr)) { len = big ? b.readUInt32BE(o + 8) : b.readUInt32LE(o + 8); value = o + 12 }
    else { len = big ? b.readUInt16BE(o + 6) : b.readUInt16LE(o + 6); value = o + 8 }
  } else { len = big ? b.readUInt32BE(o + 4) : b.readUInt32LE(o + 4); value = o + 8 }
  if (len === 0xffffffff) return { tag, vr, value, len: 0, next: skipSequence(b, value, big, vr === 'UN' ? false : explicit) }
  return { tag, vr, value, len, next: value + len }
}

function readHeader(path) {
  let b = readFileSync(path)
  if (b.length < 132 || b.toString('latin1', 128, 132) !== 'DICM') return undefined
  let o = 132, ts = ''
  while (o + 8 <= b.length && b.readUInt16LE(o) === 0x0002) {
    const e = readElement(b, o, false, true)
    if (e.tag === 0x00020010) ts = b.toString('latin1', e.value, e.value + e.len).replace(/[\0 ]+$/, '')
    o = e.next
  }
  const big = ts === '1.2.840.10008.1.2.2'
  const explicit = ts !== '1.2.840.10008.1.2'
  if (ts === '1.2.840.10008.1.2.1.99') { b = inflateRawSync(b.subarray(o)); o = 0 }
  const h = { TransferSyntaxUID: ts }
  while (o + 8 <= b.length) {
    const e = readElement(b, o, big, explicit)
    if (e.tag > 0x00280011) break
    const name = WANTED[e.tag]
    if (name) {
      if (US_TAGS.has(e.tag) && e.len >= 2) h[name] = big ? b.readUInt16BE(e.value) : b.readUInt16LE(e.value)
      else h[name] = b.toString(/ISO_IR 192/.test(h.SpecificCharacterSet ?? '') ? 'utf8' : 'latin1', e.value, e.value + e.len).replace(/[\0 ]+$/, '').trim()
    }
    o = e.next
  }
  return h
}

const files = walkFiles(input).sort()
const series = new Map()
const instances = []
const unreadable = []
let study
for (const path of files) {
  const name = relative(input, path)
  let header
  try { header = readHeader(path) } catch (error) { unreadable.push({ file: name, why: error.message }); continue }
  if (!header) { unreadable.push({ file: name, why: 'not a DICOM Part-10 file' }); continue }
  const bytes = readFileSync(path)
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  study ??= { PatientID: header.PatientID, PatientName: header.PatientName, StudyInstanceUID: header.StudyInstanceUID,
    StudyDate: header.StudyDate, StudyDescription: header.StudyDescription, AccessionNumber: header.AccessionNumber }
  const key = header.SeriesInstanceUID ?? '(none)'
  const s = series.get(key) ?? { SeriesInstanceUID: key, SeriesNumber: header.SeriesNumber, SeriesDescription: header.SeriesDescription,
    Modality: header.Modality, instances: 0, bytes: 0, transferSyntaxes: new Set() }
  s.instances++
  s.bytes += statSync(path).size
  s.transferSyntaxes.add(header.TransferSyntaxUID)
  series.set(key, s)
  instances.push({ file: name, SOPInstanceUID: header.SOPInstanceUID, SeriesInstanceUID: key, InstanceNumber: header.InstanceNumber,
    Rows: header.Rows, Columns: header.Columns, NumberOfFrames: header.NumberOfFrames, TransferSyntaxUID: header.TransferSyntaxUID, sha256 })
  console.log(`read ${name}: series ${header.SeriesNumber ?? '?'} instance ${header.InstanceNumber ?? '?'}`)
}
const seriesList = [...series.values()].map((s) => ({ ...s, transferSyntaxes: [...s.transferSyntaxes] }))
const report = { generatedAt: new Date().toISOString(), study, series: seriesList, instances, unreadable }
writeFileSync(join(output, 'study-info.json'), JSON.stringify(report, null, 2) + '\n')
const lines = [
  `Study ${study?.StudyInstanceUID ?? '?'}  patient ${study?.PatientID ?? '?'}  date ${study?.StudyDate ?? '?'}  ${study?.StudyDescription ?? ''}`,
  ...seriesList.map((s) => `  series ${s.SeriesNumber ?? '?'} ${s.Modality ?? ''} "${s.SeriesDescription ?? ''}": ${s.instances} instance(s), ${(s.bytes / 1e6).toFixed(1)} MB, ${s.transferSyntaxes.join(', ')}`),
  ...(unreadable.length ? [`  ${unreadable.length} file(s) could not be read`] : []),
]
writeFileSync(join(output, 'study-info.txt'), lines.join('\n') + '\n')
console.log(lines.join('\n'))
const success = instances.length === 0 ? 'failed' : unreadable.length ? 'partial' : 'success'
writeFileSync(join(output, 'proc.json'), JSON.stringify([{ success, message: `${instances.length} instance(s) in ${seriesList.length} series inventoried${unreadable.length ? `, ${unreadable.length} unreadable` : ''}` }]) + '\n')
