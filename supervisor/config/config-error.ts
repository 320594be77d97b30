/**
 * @module config-error
 */
export class ConfigError extends Error {
  override name = 'ConfigError'
}
