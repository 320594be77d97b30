/**
 * @module quick-ack
 * TCP_QUICKACK for the receiver's sockets, through the small native addon in supervisor/native
 * (built by `npm install`). Without it, a sender that leaves Nagle on (dcmtk's storescu does)
 * waits up to 40 ms for Linux's delayed acknowledgement on about one image in ten; with it the
 * kernel acknowledges at once. When the addon is missing the receiver works the same, slower.
 */
import { createRequire } from 'node:module'
import type { Socket } from 'node:net'
import { join } from 'node:path'
import { packageRoot } from '../config/load-config.js'

type Addon = { setQuickAck(fd: number): boolean }

function load(): Addon | undefined {
  try {
    return createRequire(import.meta.url)(join(packageRoot(), 'supervisor', 'native', 'build', 'Release', 'tcp_quickack.node')) as Addon
  } catch {
    return undefined
  }
}

const addon = load()

export const quickAckAvailable = addon !== undefined

// Acknowledge received data at once on this socket (call after every read: the flag is not sticky).
export function quickAck(socket: Socket): void {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd
  if (addon && typeof fd === 'number' && fd >= 0) addon.setQuickAck(fd)
}
