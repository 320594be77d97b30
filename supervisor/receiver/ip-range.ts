/**
 * @module ip-range
 * Caller addresses against allow-lists of addresses and CIDR ranges (IPv4 and IPv6; an IPv4
 * address mapped into IPv6, `::ffff:10.0.0.5`, counts as IPv4).
 */
import { BlockList, isIP } from 'node:net'

// True for "10.0.0.5", "10.0.0.0/8", "fd00::/8" and the like.
export function isIpRange(range: string): boolean {
  const [address, bits, extra] = range.split('/')
  if (extra !== undefined || !address) return false
  const family = isIP(address)
  if (family === 0) return false
  if (bits === undefined) return true
  const n = Number(bits)
  return /^\d+$/.test(bits) && n >= 0 && n <= (family === 4 ? 32 : 128)
}

// A matcher for a list of ranges; an empty list matches every address.
export function ipMatcher(ranges: string[]): (address: string) => boolean {
  if (ranges.length === 0) return () => true
  const list = new BlockList()
  for (const range of ranges) {
    const [address, bits] = range.split('/')
    const type = isIP(address!) === 6 ? 'ipv6' : 'ipv4'
    if (bits === undefined) list.addAddress(address!, type)
    else list.addSubnet(address!, Number(bits), type)
  }
  return (address) => {
    const plain = address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1')
    const family = isIP(plain)
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4')
  }
}

const LOOPBACK = ipMatcher(['127.0.0.0/8', '::1'])

// True for a caller on this machine (127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6).
export function isLoopback(address: string): boolean {
  return isIP(address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1')) !== 0 && LOOPBACK(address)
}
