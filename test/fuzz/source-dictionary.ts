/**
 * @module source-dictionary
 * Byte strings taken from the literals of the code under test, for the mutator's dictionary (as
 * fuzzers without comparison tracing do): every number literal encoded as the code would meet
 * it on the wire (one byte; two bytes in either order; four bytes in either order and as a
 * group/element tag, each half little endian), and every short string literal. A parser's
 * `if (type === 0x50)` or `=== 'DICM'` is then one dictionary mutation away, not one in 2^32.
 */
import { readFileSync } from 'node:fs'

const MAX_TOKENS = 4000

export function sourceDictionary(paths: string[]): Buffer[] {
  const tokens = new Map<string, Buffer>()
  const add = (b: Buffer) => {
    if (tokens.size < MAX_TOKENS) tokens.set(b.toString('hex'), b)
  }
  for (const path of paths) {
    let source: string
    try {
      source = readFileSync(path, 'utf8')
    } catch {
      continue
    }
    // Comments are prose, not constants.
    const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')
    for (const m of code.matchAll(/\b0x[0-9a-fA-F]+\b|\b\d+\b/g)) {
      const n = Number(m[0])
      if (!Number.isSafeInteger(n) || n > 0xffffffff) continue
      if (n <= 0xff) add(Buffer.from([n]))
      if (n <= 0xffff) {
        const b = Buffer.alloc(2)
        b.writeUInt16LE(n)
        add(Buffer.from(b))
        b.writeUInt16BE(n)
        add(Buffer.from(b))
      }
      if (n > 0xff) {
        const b = Buffer.alloc(4)
        b.writeUInt32LE(n)
        add(Buffer.from(b))
        b.writeUInt32BE(n)
        add(Buffer.from(b))
        // A tag: group then element, each little endian.
        b.writeUInt16LE(n >>> 16, 0)
        b.writeUInt16LE(n & 0xffff, 2)
        add(Buffer.from(b))
      }
    }
    for (const m of code.matchAll(/'([^'\\\n]{2,64})'|"([^"\\\n]{2,64})"/g)) {
      const text = m[1] ?? m[2]!
      if (/^[\x20-\x7e]+$/.test(text)) add(Buffer.from(text, 'latin1'))
    }
  }
  return [...tokens.values()]
}
