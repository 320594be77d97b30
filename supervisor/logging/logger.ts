/**
 * @module logger
 * One log file per part of the box (`$MAGICKBOX_DATA/logs/<part>.log`), one line per event:
 * `2026-11-28T04:51:07.123Z INFO  receiver: message`. Lines are written synchronously so that the
 * last words before a crash are kept; CR/LF in a message are escaped so one event is one line.
 * A file that grows past `maxBytes` is rotated (`<part>.log.1` … `<part>.log.<keep>`), so a
 * part never takes more than maxBytes × (keep + 1), also when several processes write it.
 */
import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { LogSettings } from '../config/settings.js'
import { loadMaskKey, maskedIdentifiers, plainIdentifiers, type IdentifierMask } from './identifier-mask.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface Logger {
  readonly part: string
  /** How patient names, IDs and UIDs are written in this log (plain, or masked by the settings). */
  readonly ids: IdentifierMask
  debug(message: string): void
  info(message: string): void
  warn(message: string): void
  error(message: string): void
  close(): void
}

export interface LoggerOptions {
  /** Folder of the log files; no file is written when undefined. */
  folder?: string
  /** Also print each line on stdout. @defaultValue true */
  console?: boolean
  /** Lines below this level are dropped. @defaultValue 'info' */
  level?: LogLevel
  /** Rotate the file when it would grow past this. @defaultValue 10 MiB */
  maxBytes?: number
  /** Rotated files kept. @defaultValue 5 */
  keep?: number
  /** How identifiers are written. @defaultValue plainIdentifiers */
  ids?: IdentifierMask
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }

// Make one event one line: control characters shown as escapes.
export function oneLine(message: string): string {
  return message.replace(/[\r\n\u0000-\u0008\u000b-\u001f]/g, (ch) =>
    ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`,
  )
}

export function createLogger(
  part: string,
  { folder, console: toConsole = true, level = 'info', maxBytes = 10 * 1024 * 1024, keep = 5, ids = plainIdentifiers }: LoggerOptions = {},
): Logger {
  let fd: number | undefined
  let inode = 0
  let size = 0
  const path = folder ? join(folder, `${part}.log`) : undefined
  const open = () => {
    if (!path) return
    fd = openSync(path, 'a', 0o640)
    const info = fstatSync(fd)
    inode = info.ino
    size = info.size
  }
  // Several processes may write one part's file (the receiver's workers): before each line, follow
  // a rotation another process did (the name now holds a new file) and take the size on disk.
  const follow = () => {
    if (!path || fd === undefined) return
    const onDisk = statSync(path, { throwIfNoEntry: false })
    if (!onDisk || onDisk.ino !== inode) {
      closeSync(fd)
      open()
    } else size = onDisk.size
  }
  // Shift <part>.log.N up by one, dropping the oldest, and start a new file.
  const rotate = () => {
    if (!path || fd === undefined) return
    closeSync(fd)
    rmSync(`${path}.${keep}`, { force: true })
    for (let n = keep - 1; n >= 1; n--) {
      try {
        renameSync(`${path}.${n}`, `${path}.${n + 1}`)
      } catch {
        // no such generation yet
      }
    }
    if (keep > 0) renameSync(path, `${path}.1`)
    else rmSync(path, { force: true })
    open()
  }
  if (folder) {
    mkdirSync(folder, { recursive: true })
    open()
  }
  const write = (lineLevel: LogLevel, message: string) => {
    if (ORDER[lineLevel] < ORDER[level]) return
    const line = `${new Date().toISOString()} ${lineLevel.toUpperCase().padEnd(5)} ${part}: ${oneLine(message)}\n`
    if (fd !== undefined) {
      try {
        const bytes = Buffer.byteLength(line)
        follow()
        if (size > 0 && size + bytes > maxBytes) rotate()
        writeSync(fd, line)
        size += bytes
      } catch {
        // A full disk must not stop the box; the console still has the line.
      }
    }
    if (toConsole) process.stdout.write(line)
  }
  return {
    part,
    ids,
    debug: (m) => write('debug', m),
    info: (m) => write('info', m),
    warn: (m) => write('warn', m),
    error: (m) => write('error', m),
    close() {
      if (fd !== undefined) closeSync(fd)
      fd = undefined
    },
  }
}

// Logger options from the settings and the environment (MAGICKBOX_LOG_CONSOLE=0 silences stdout,
// MAGICKBOX_LOG_LEVEL sets the level); with logs.maskIdentifiers the key comes from the data folder.
export function loggerOptions(paths: { root: string; logs: string }, logs: LogSettings, env: NodeJS.ProcessEnv = process.env): LoggerOptions {
  const level = env.MAGICKBOX_LOG_LEVEL as LogLevel | undefined
  return {
    folder: paths.logs,
    console: env.MAGICKBOX_LOG_CONSOLE !== '0',
    level: level && level in ORDER ? level : 'info',
    maxBytes: logs.maxBytes,
    keep: logs.keep,
    ids: logs.maskIdentifiers ? maskedIdentifiers(loadMaskKey(paths.root)) : plainIdentifiers,
  }
}
