/**
 * @module watch-streams
 * Logs what the box makes of the streams folder whenever it changes: which AE titles take
 * studies, and why any stream does not.
 */
import type { Logger } from '../logging/logger.js'
import type { StreamCatalog } from './load-streams.js'

export function describeStreams(catalog: StreamCatalog): string[] {
  return catalog.current().entries.map((entry) =>
    entry.problem
      ? `stream folder ${entry.folder}: takes no studies: ${entry.problem}`
      : `stream ${entry.definition!.aeTitle} (${entry.definition!.name} ${entry.definition!.version}, ${entry.definition!.runner}) takes studies sent to AE title "${entry.definition!.aeTitle}"`,
  )
}

// Check every `intervalMs` and log the streams when the picture changed; returns a stop function.
export function watchStreams(catalog: StreamCatalog, logger: Logger, onChange: () => void = () => undefined, intervalMs = 2000): () => void {
  let last = ''
  const check = () => {
    const lines = describeStreams(catalog)
    const signature = lines.join('\n')
    if (signature === last) return
    last = signature
    if (lines.length === 0) logger.warn(`no streams in ${catalog.streamsDir}: every storage association will be rejected`)
    for (const line of lines) (line.includes('takes no studies') ? logger.warn : logger.info)(line)
    onChange()
  }
  check()
  const timer = setInterval(check, intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
