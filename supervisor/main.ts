/**
 * @module main
 * Entry of the MagickBox supervisor: load the configuration, start the box, stop it on
 * SIGTERM/SIGINT.
 */
import { Box } from './box.js'
import { ConfigError } from './config/config-error.js'
import { loadConfig } from './config/load-config.js'

let box: Box
try {
  box = new Box(await loadConfig())
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`MagickBox cannot start: ${error.message}`)
    process.exit(2)
  }
  throw error
}
const shutdown = (signal: string) => {
  box.log.info(`received ${signal}`)
  void box.stop().then(() => process.exit(0))
}
process.on('SIGTERM', () => shutdown('SIGTERM'))
process.on('SIGINT', () => shutdown('SIGINT'))
try {
  await box.start()
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  // A setting that only shows its problem when used (a certificate file): say so, undo what started.
  box.log.error(`cannot start: ${error.message}`)
  console.error(`MagickBox cannot start: ${error.message}`)
  await box.stop()
  process.exit(2)
}
