/**
 * @module sqlite
 * The only importer of better-sqlite3.
 */
import Database from 'better-sqlite3'

export type SqliteDatabase = Database.Database

export function openDatabase(path: string): SqliteDatabase {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  return db
}

// A read-only connection (the web interface reads the index the supervisor writes).
export function openDatabaseReadOnly(path: string): SqliteDatabase {
  const db = new Database(path, { readonly: true, fileMustExist: true })
  db.pragma('query_only = ON')
  return db
}
