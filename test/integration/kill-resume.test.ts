import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAllFormats } from '../../scripts/fixtures/all-formats.js';
import { CLI, tempDir } from '../helpers.js';

let tmp: ReturnType<typeof tempDir>;
let folder: string;

function writeCorpus(round: number): void {
  for (let i = 0; i < 240; i++) {
    const sub = join(folder, `part-${i % 6}`);
    mkdirSync(sub, { recursive: true });
    // Each round rewrites a third of the notes, so every run has real work to be killed in.
    const revision = i % 3 === round % 3 ? round : 0;
    const body = Array.from({ length: 30 + (i % 17) }, (_, p) => `Note ${i} paragraph ${p}: revision ${revision} about topic ${(i * p) % 97}.`);
    writeFileSync(join(sub, `note-${i}.${i % 3 === 0 ? 'md' : 'txt'}`), (i % 3 === 0 ? `# Note ${i}\n\n` : '') + body.join('\n\n'));
  }
  if (round > 0) {
    rmSync(join(folder, `part-${round % 6}`, `note-${round * 6 + (round % 6)}.txt`), { force: true });
    writeFileSync(join(folder, `added-${round}.txt`), `Added in round ${round}.`);
  }
}

function index(library: string, data: string): ReturnType<typeof spawn> {
  return spawn(process.execPath, [CLI, '--data-dir', data, 'index', folder, '--library', library, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function finished(child: ReturnType<typeof spawn>): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** The invariants a half-finished run must never break. */
function assertConsistent(file: string): void {
  const db = new Database(file, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const mismatched = db
      .prepare(`SELECT d.relative_path, d.status, d.chunk_count, (SELECT COUNT(*) FROM chunks c WHERE c.document_id = d.id) AS actual
                FROM documents d WHERE d.chunk_count != (SELECT COUNT(*) FROM chunks c WHERE c.document_id = d.id)`)
      .all();
    expect(mismatched).toEqual([]);
    expect(db.prepare("SELECT COUNT(*) AS n FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.status != 'indexed'").get()).toEqual({ n: 0 });
  } finally {
    db.close();
  }
}

/** What a library holds, independent of ids and timestamps. */
function contents(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db
      .prepare(`SELECT d.relative_path AS p, d.status AS s, d.content_hash AS h, group_concat(c.text, '|') AS t
                FROM documents d LEFT JOIN chunks c ON c.document_id = d.id GROUP BY d.id ORDER BY d.relative_path`)
      .all() as { p: string; s: string; h: string; t: string }[]).map((r) => `${r.p} ${r.s} ${r.h} ${r.t}`);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  tmp = tempDir();
  folder = join(tmp.dir, 'docs');
  await makeAllFormats(join(folder, 'formats'));
  writeCorpus(0);
});
afterAll(() => tmp.cleanup());

describe('an indexing run killed at any moment', () => {
  it('leaves a consistent library that the next run completes (SIGKILL at random points until 20 landed mid-run)', async () => {
    const data = join(tmp.dir, 'data');
    const file = join(data, 'libraries', 'killed.sqlite');
    // How long a whole run takes here, so the kills land all over it.
    const started = Date.now();
    expect(await finished(index('timing', join(tmp.dir, 'timing-data')))).toBe(0);
    const fullRunMs = Date.now() - started;

    let seed = 20251127;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let killedMidRun = 0;
    for (let kill = 0; killedMidRun < 20 && kill < 60; kill++) {
      writeCorpus(kill + 1); // change, add and delete files between kills
      const child = index('killed', data);
      await new Promise((resolve) => setTimeout(resolve, 100 + random() * fullRunMs * 0.55));
      const wasRunning = child.exitCode === null;
      child.kill('SIGKILL');
      await finished(child);
      if (wasRunning) killedMidRun++;
      if (existsSync(file)) assertConsistent(file); // a kill before the library file exists leaves nothing to check
    }
    expect(killedMidRun).toBeGreaterThanOrEqual(20);

    const final = spawnSync(process.execPath, [CLI, '--data-dir', data, 'index', folder, '--library', 'killed', '--json'], { encoding: 'utf8' });
    expect(final.status, final.stderr).toBe(0);
    assertConsistent(file);

    // A library built in one clean run over the same files must hold exactly the same.
    const fresh = spawnSync(process.execPath, [CLI, '--data-dir', join(tmp.dir, 'fresh'), 'index', folder, '--library', 'fresh', '--json'], { encoding: 'utf8' });
    expect(fresh.status, fresh.stderr).toBe(0);
    const killed = contents(file);
    expect(killed.length).toBeGreaterThan(240);
    expect(killed).toEqual(contents(join(tmp.dir, 'fresh', 'libraries', 'fresh.sqlite')));
    expect(killed.filter((line) => / pending /.test(line))).toEqual([]);
  }, 300_000);
});
