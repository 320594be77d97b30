/**
 * @module read-json
 * Reads JSON files with errors that name the file.
 */
import { readFile } from 'node:fs/promises'

export class JsonFileError extends Error {
  override name = 'JsonFileError'
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${path}: ${message}`, options)
  }
}

// Read and parse a JSON file; a missing file gives `undefined`, bad JSON throws JsonFileError.
export async function readJsonIfExists<T = unknown>(path: string): Promise<T | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new JsonFileError(path, (error as Error).message, { cause: error })
  }
  try {
    return JSON.parse(text) as T
  } catch (error) {
    throw new JsonFileError(path, `not valid JSON: ${(error as Error).message}`, { cause: error })
  }
}
