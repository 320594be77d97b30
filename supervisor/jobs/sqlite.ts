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
