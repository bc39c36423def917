import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { migrations as allMigrations, type Migration } from './migrations/index.js';

export type Db = Database.Database;

export class LibraryVersionError extends Error {
  constructor(file: string, found: number, known: number) {
    super(`${file} was written by a newer Quire (schema ${found}; this version knows up to ${known}). Update Quire to open it.`);
    this.name = 'LibraryVersionError';
  }
}

/** Opens (creating if needed) a library file: WAL, foreign keys, sqlite-vec loaded, migrated to the latest schema. */
export function openDatabase(file: string, options: { migrations?: readonly Migration[]; readonly?: boolean } = {}): Db {
  const db = new Database(file, { readonly: options.readonly ?? false });
  try {
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    sqliteVec.load(db);
    if (!options.readonly) migrate(db, file, options.migrations ?? allMigrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function migrate(db: Db, file: string, migrations: readonly Migration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  const current = schemaVersion(db);
  if (current > latest) throw new LibraryVersionError(file, current, latest);
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.up);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}
