import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { makePrivateFile, restrictFile } from '../host/private-files.js';
import { migrations as allMigrations, type Migration } from './migrations/index.js';
import { QuireError } from '../errors.js';

export type Db = Database.Database;

export class LibraryVersionError extends QuireError {
  constructor(file: string, found: number, known: number) {
    super('library-too-new', `${file} was written by a newer Quire (schema ${found}; this version knows up to ${known}). Update Quire to open it.`);
  }
}

/** Opens (creating if needed) a library file: WAL, foreign keys, sqlite-vec loaded, migrated to the latest schema. */
export function openDatabase(file: string, options: { migrations?: readonly Migration[]; readonly?: boolean } = {}): Db {
  // SQLite gives the WAL and SHM files the mode of the database file: a private library file keeps all three private.
  if (!options.readonly && file !== ':memory:' && file !== '') {
    makePrivateFile(file);
    for (const suffix of ['-wal', '-shm', '-journal']) restrictFile(file + suffix);
  }
  const db = new Database(file, { readonly: options.readonly ?? false });
  try {
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    // Search reads a thousand scattered float vectors per query to re-score them: through a memory
    // map that costs about two thirds of what read() calls do (SQLite maps at most the first 2 GB).
    db.pragma('mmap_size = 2147418112');
    sqliteVec.load(db);
    if (!options.readonly) migrate(db, file, options.migrations ?? allMigrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * A prepared statement kept for reuse: compiling one costs 20–80 µs, more than most lookups it
 * runs, and search runs a dozen per query. Its mode (pluck, raw) is shared by every user of the
 * same SQL text, so one text must always be used in one mode.
 */
export function statement(db: Db, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let prepared = cache.get(sql);
  if (!prepared) cache.set(sql, (prepared = db.prepare(sql)));
  return prepared;
}

/**
 * Changes whenever this connection or another has changed the file: two counters SQLite keeps
 * anyway, so a cached count or index is checked in microseconds.
 */
export function changeStamp(db: Db): string {
  const [changes, version] = statement(db, 'SELECT total_changes(), (SELECT data_version FROM pragma_data_version)').raw().get() as [number, number];
  return `${changes}:${version}`;
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
