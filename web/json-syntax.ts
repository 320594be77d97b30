/**
 * @module json-syntax
 * Where a JSON text goes wrong (line, column, what was expected), for editors: Node's own
 * JSON.parse message does not always give a position.
 */

export interface JsonSyntaxError {
  line: number
  column: number
  message: string
}

class Failure extends Error {
  constructor(
    readonly at: number,
    message: string,
  ) {
    super(message)
  }
}

// The first syntax error in `text`, or undefined when it is valid JSON.
export function findJsonError(text: string): JsonSyntaxError | undefined {
  let i = 0
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const fail = (what: string): never => {
    throw new Failure(i, i >= text.length ? `${what}, but the text ends` : `${what}, found ${JSON.stringify(text[i])}`)
  }
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length
    else fail('expected a value')
  }
  const string = () => {
    i++
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++
      else if (text.charCodeAt(i) < 0x20) fail('control character in a string')
      i++
    }
    if (i >= text.length) fail('expected the end of a string')
    i++
  }
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i))
    if (!m) fail('expected a value')
    i += m![0].length
  }
  const value = (depth: number): void => {
    if (depth > 200) fail('nested too deeply')
    ws()
    const ch = text[i]
    if (ch === '{') {
      i++
      ws()
      if (text[i] === '}') return void i++
      for (;;) {
        ws()
        if (text[i] !== '"') fail('expected a "name" in quotes')
        string()
        ws()
        if (text[i] !== ':') fail('expected ":" after a name')
        i++
        value(depth + 1)
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') return void i++
        fail('expected "," or "}"')
      }
    }
    if (ch === '[') {
      i++
      ws()
      if (text[i] === ']') return void i++
      for (;;) {
        value(depth + 1)
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === ']') return void i++
        fail('expected "," or "]"')
      }
    }
    if (ch === '"') return string()
    if (ch === 't') return literal('true')
    if (ch === 'f') return literal('false')
    if (ch === 'n') return literal('null')
    return number()
  }
  try {
    value(0)
    ws()
    if (i < text.length) fail('expected the end of the text')
    return undefined
  } catch (error) {
    if (!(error instanceof Failure)) throw error
    const before = text.slice(0, error.at)
    return { line: before.split('\n').length, column: error.at - before.lastIndexOf('\n'), message: error.message }
  }
}
