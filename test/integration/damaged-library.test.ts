import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibrarySummary } from '../../electron/shared/library.js';
import { readOrCreateApiKey } from '../../electron/engine/openai/api-key.js';
import { CLI, tempDir } from '../helpers.js';
import { startServe, type ServeProcess } from '../serve-process.js';

let tmp: ReturnType<typeof tempDir>;
let data: string;
const canLockOut = process.getuid?.() !== 0; // root reads a 0000 file anyway

function quire(...args: string[]) {
  return spawnSync(process.execPath, [CLI, '--data-dir', data, ...args], { encoding: 'utf8' });
}

beforeAll(() => {
  tmp = tempDir();
  data = join(tmp.dir, 'data');
  for (const name of ['alpha', 'beta']) {
    const docs = join(tmp.dir, name);
    mkdirSync(docs);
    writeFileSync(join(docs, `${name}.md`), `# ${name}\n\nThe ${name} notes mention the lighthouse.\n`);
    const run = quire('index', docs, '--library', name, '--no-embed');
    if (run.status !== 0) throw new Error(run.stderr);
  }
  // Garbage where a library should be, and (unless we are root) a library nobody may read.
  writeFileSync(join(data, 'libraries', 'garbage.sqlite'), Buffer.from('This is not a SQLite database at all, just some bytes.\n'.repeat(100)));
  if (canLockOut) {
    writeFileSync(join(data, 'libraries', 'locked.sqlite'), '');
    chmodSync(join(data, 'libraries', 'locked.sqlite'), 0);
  }
});
afterAll(() => tmp.cleanup());

describe('one damaged library does not hide the others', () => {
  it('quire libraries --json lists the good ones with their counts and the damaged ones with damaged: true and why', () => {
    const run = quire('libraries', '--json');
    expect(run.status, run.stderr).toBe(0);
    const list = JSON.parse(run.stdout) as LibrarySummary[];
    const byName = Object.fromEntries(list.map((l) => [l.name, l]));
    expect(byName.alpha).toMatchObject({ documents: 1, chunks: 1 });
    expect(byName.alpha!.damaged).toBeUndefined();
    expect(byName.beta).toMatchObject({ documents: 1, chunks: 1 });
    expect(byName.garbage).toMatchObject({ damaged: true, documents: 0, chunks: 0, reason: expect.stringMatching(/not a database/) });
    if (canLockOut) expect(byName.locked).toMatchObject({ damaged: true, reason: expect.stringMatching(/unable to open|permission|SQLITE_CANTOPEN/i) });
  });

  it('quire libraries (for people) says which is damaged', () => {
    const run = quire('libraries');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^alpha\t1 documents/m);
    expect(run.stdout).toMatch(/^garbage\tdamaged: .*not a database/m);
  });

  it('the good libraries still search', () => {
    const run = quire('search', 'lighthouse', '--library', 'beta', '--json');
    expect(run.status, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { results: unknown[] }).results).toHaveLength(1);
  });

  describe('quire serve (a real process)', () => {
    let serve: ServeProcess;
    beforeAll(async () => {
      serve = await startServe(data);
    });
    afterAll(async () => serve?.stop());

    it('the UI library list has every library, the damaged one marked', async () => {
      const reply = await serve.call('libraries.list', {});
      expect(reply.type).toBe('result');
      const list = reply.result as LibrarySummary[];
      expect(list.filter((l) => !l.damaged).map((l) => l.name).sort()).toEqual(['alpha', 'beta']);
      expect(list.find((l) => l.name === 'garbage')).toMatchObject({ damaged: true });
    });

    it('/v1/models lists the good libraries and not the damaged one', async () => {
      const response = await fetch(`http://127.0.0.1:${serve.port}/v1/models`, { headers: { Authorization: `Bearer ${readOrCreateApiKey(data)}` } });
      expect(response.status).toBe(200);
      const ids = ((await response.json()) as { data: { id: string }[] }).data.map((m) => m.id);
      expect(ids).toEqual(expect.arrayContaining(['quire/alpha', 'quire/beta']));
      expect(ids).not.toContain('quire/garbage');
      expect(serve.child.exitCode).toBeNull();
    });
  });
});
