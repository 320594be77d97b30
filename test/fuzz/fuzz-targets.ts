/**
 * @module fuzz-targets
 * Every fuzz target, by name: the byte parsers of the wire and of received files, and the
 * receiver's association state machine that drives them.
 */
import type { FuzzTarget } from './fuzz-target.js'
import { associateRqTarget } from './targets/associate-rq-target.js'
import { datasetHeaderTarget } from './targets/dataset-header-target.js'
import { dimseCommandTarget } from './targets/dimse-command-target.js'
import { leanScpTarget } from './targets/lean-scp-target.js'
import { part10MetaTarget } from './targets/part10-meta-target.js'
import { pduReaderTarget } from './targets/pdu-reader-target.js'
import { pduStreamTarget } from './targets/pdu-stream-target.js'

export const FUZZ_TARGETS: readonly FuzzTarget[] = [pduStreamTarget, pduReaderTarget, associateRqTarget, dimseCommandTarget, part10MetaTarget, datasetHeaderTarget, leanScpTarget]

export function fuzzTarget(name: string): FuzzTarget {
  const target = FUZZ_TARGETS.find((t) => t.name === name)
  if (!target) throw new Error(`no fuzz target ${name} (targets: ${FUZZ_TARGETS.map((t) => t.name).join(', ')})`)
  return target
}
