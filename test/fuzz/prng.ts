/**
 * @module prng
 * A small seeded pseudo-random generator (sfc32, seeded from a string by a 128-bit hash), so a
 * fuzzing run or a network campaign with the same seed makes the same choices again.
 */

// Four 32-bit words from a string (cyrb128).
function hash128(text: string): [number, number, number, number] {
  let h1 = 1779033703
  let h2 = 3144134277
  let h3 = 1013904242
  let h4 = 2773480762
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i)
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067)
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233)
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213)
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179)
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067)
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233)
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213)
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179)
  return [(h1 ^ h2 ^ h3 ^ h4) >>> 0, (h2 ^ h1) >>> 0, (h3 ^ h1) >>> 0, (h4 ^ h1) >>> 0]
}

export class Prng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: string | number) {
    ;[this.a, this.b, this.c, this.d] = hash128(String(seed))
    for (let i = 0; i < 12; i++) this.next()
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** An integer in [0, n) (n ≥ 1). */
  int(n: number): number {
    return n <= 1 ? 0 : this.next() % n
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1)
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() / 0x100000000 < p
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n)
    for (let i = 0; i < n; i++) out[i] = this.next() & 0xff
    return out
  }

  /** A new generator whose sequence depends on this one's state and `label`. */
  fork(label: string): Prng {
    return new Prng(`${this.next()}:${this.next()}:${label}`)
  }
}
