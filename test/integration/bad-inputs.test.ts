import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, lstatSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Library } from '../../electron/engine/index.js';
import { ParsePool } from '../../electron/engine/ingest/parse-pool.js';
import { DEFAULT_SPLIT } from '../../electron/engine/ingest/splitter.js';
import type { LibraryStatus } from '../../electron/shared/library.js';
import { makeBadInputs, type ExpectedOutcome } from '../../scripts/fixtures/bad-inputs.js';
import { CLI, tempDir } from '../helpers.js';

let tmp: ReturnType<typeof tempDir>;
let folder: string;
let expected: ExpectedOutcome[];
let library: Library;
let before: Map<string, string>;

/** Every entry under a folder with its type, size, mode, mtime and content hash: proof nothing was touched. */
function snapshot(dir: string, into = new Map<string, string>(), prefix = ''): Map<string, string> {
  for (const name of readdirSync(Buffer.from(dir), { encoding: 'buffer' })) {
    const path = Buffer.concat([Buffer.from(dir + '/'), name]);
    const key = prefix + name.toString('latin1');
    const info = lstatSync(path);
    if (info.isSymbolicLink()) into.set(key, 'link');
    else if (info.isDirectory()) snapshot(path.toString('latin1'), into, key + '/');
    else {
      const hash = info.size < 1e8 ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'big';
      into.set(key, `${info.size}:${info.mode}:${info.mtimeMs}:${hash}`);
    }
  }
  return into;
}

beforeAll(async () => {
  tmp = tempDir();
  folder = join(tmp.dir, 'docs');
  expected = await makeBadInputs(folder);
  before = snapshot(folder);
  library = createEngine({ dataDir: join(tmp.dir, 'data') }).openLibrary('bad', { create: true });
  library.addFolder(folder);
  await library.index();
});
afterAll(async () => {
  await library.close();
  tmp.cleanup();
});

describe('bad input is reported per file and never stops the folder', () => {
  it.each([
    ['encrypted PDF', 'encrypted.pdf'], ['truncated PDF', 'truncated.pdf'], ['garbage PDF', 'garbage.pdf'], ['truncated DOCX', 'truncated.docx'],
    ['zero-byte file', 'empty.txt'], ['whitespace-only file', 'blank.md'], ['PNG renamed .txt', 'renamed-binary.txt'], ['binary named .txt', 'program.txt'],
    ['image with a damaged header', 'photo.png'], ['image with damaged pixel data', 'damaged-scan.png'], ['20,000 x 20,000 image (decompression bomb)', 'bomb.png'],
    ['password-protected spreadsheet', 'locked.xlsx'], ['Excel 97-2003 workbook', 'legacy.xls'], ['mailbox cut inside a message', 'cut.mbox'],
    ['latin-1 content', 'latin1.txt'], ['non-UTF-8 file name', 'caf\xe9-menu.txt'], ['2 GB log over the size cap', 'huge.log'],
    ['symlink loop to a parent', 'sub/loop'], ['self-referencing symlink', 'self-link'], ['broken symlink', 'dangling.txt'],
  ])('%s gets its own status and reason', (_label, file) => {
    const want = expected.find((e) => e.file === file)!;
    const row = library.status().documents.find((d) => d.relativePath === file);
    expect(row, `${file} is recorded`).toBeDefined();
    expect({ status: row!.status, reason: row!.reason }).toEqual({ status: want.status, reason: want.reason });
    if (want.status !== 'indexed') expect(row!.message, `${file} has a message`).toMatch(/\w{3,}/);
  });

  it('indexes the good files next to the bad ones', () => {
    for (const file of ['good.txt', 'sub/good.md', 'good.pdf', 'latin1.txt', 'caf\xe9-menu.txt']) {
      const row = library.documents.byPath(join(folder, file));
      expect(row?.status, file).toBe('indexed');
      expect(library.chunks.forDocument(row!.id).length, file).toBeGreaterThan(0);
    }
  });

  it('a truncated mailbox still indexes its complete messages; the cut one is marked', () => {
    const parts = library.status().documents.filter((d) => d.parent === 'cut.mbox');
    expect(parts.map((d) => [d.relativePath, d.status, d.reason])).toEqual([
      ['cut.mbox > First complete message', 'indexed', null],
      ['cut.mbox > Second complete message', 'indexed', null],
      ['cut.mbox > Cut off message', 'failed', 'truncated'],
    ]);
    const bomb = library.status().documents.find((d) => d.relativePath === 'bomb.png')!;
    expect(bomb.message).toMatch(/20000 x 20000 pixels/);
  });

  it('decodes latin-1 content and keeps a non-UTF-8 name byte for byte', () => {
    const latin = library.documents.byPath(join(folder, 'latin1.txt'))!;
    expect(library.chunks.forDocument(latin.id)[0]!.text).toContain('Le café de la gare ouvre à sept heures');
    const raw = library.db.prepare('SELECT path_bytes AS b FROM documents WHERE relative_path = ?').get('caf\xe9-menu.txt') as { b: Buffer };
    expect(raw.b.equals(Buffer.from(join(folder, 'caf\xe9-menu.txt'), 'latin1'))).toBe(true);
  });

  it('the size cap is configurable: a raised cap reads the file', async () => {
    const small = createEngine({ dataDir: join(tmp.dir, 'data2') }).openLibrary('cap', { create: true });
    try {
      small.addFolder(folder, { include: ['good.txt'] });
      await small.index({ maxFileBytes: 10 });
      expect(small.status().documents[0]).toMatchObject({ status: 'skipped', reason: 'too-large' });
      await small.index({ maxFileBytes: 1000 });
      expect(small.status().documents[0]).toMatchObject({ status: 'indexed', reason: null });
    } finally {
      await small.close();
    }
  });

  it('never modifies anything in the folder', () => {
    expect(snapshot(folder)).toEqual(before);
  });

  it('a parser that runs out of memory costs one file; the next file still indexes', async () => {
    const dir = join(tmp.dir, 'oom');
    mkdirSync(dir);
    writeFileSync(join(dir, 'huge.txt'), 'word '.repeat(12_000_000));
    writeFileSync(join(dir, 'small.txt'), 'still fine');
    const pool = new ParsePool({ size: 1, maxHeapMb: 48 });
    try {
      const task = (name: string) => ({ rawPath: Buffer.from(join(dir, name)), path: join(dir, name), knownHash: null, split: DEFAULT_SPLIT });
      const big = await pool.parse(task('huge.txt'));
      expect(big).toMatchObject({ type: 'problem', status: 'failed', reason: 'too-large' });
      const ok = await pool.parse(task('small.txt'));
      expect(ok.type).toBe('indexed');
    } finally {
      await pool.close();
    }
  });
});

describe('a file without read permission', () => {
  // Root reads everything, so the CLI runs as an unprivileged user when the test runs as root.
  const runAsNobody = process.getuid?.() === 0;
  const nobody = 65534;

  // A Node kept under root's home (CI's Node 22 in ~/.cache, nvm) cannot be run by nobody: run a copy.
  function nodeNobodyCanRun(dir: string): string {
    const probe = spawnSync(process.execPath, ['-e', ''], { uid: nobody, gid: nobody });
    if (!probe.error && probe.status === 0) return process.execPath;
    const copy = join(dir, 'node');
    copyFileSync(process.execPath, copy);
    chmodSync(copy, 0o755);
    return copy;
  }

  it('is failed with reason unreadable while the rest indexes', () => {
    const dir = tempDir('quire-perm-');
    try {
      chmodSync(dir.dir, 0o755);
      const docs = join(dir.dir, 'docs');
      mkdirSync(docs);
      writeFileSync(join(docs, 'secret.txt'), 'You cannot read me.');
      writeFileSync(join(docs, 'open.txt'), 'Anyone can read me.');
      mkdirSync(join(docs, 'locked-folder'));
      writeFileSync(join(docs, 'locked-folder', 'inside.txt'), 'hidden');
      const data = join(dir.dir, 'data');
      mkdirSync(data);
      if (runAsNobody) chownSync(data, nobody, nobody);
      chmodSync(join(docs, 'secret.txt'), 0o000);
      chmodSync(join(docs, 'locked-folder'), 0o000);
      const options = runAsNobody ? { uid: nobody, gid: nobody } : {};
      const node = runAsNobody ? nodeNobodyCanRun(dir.dir) : process.execPath;
      const run = spawnSync(node, [CLI, '--data-dir', data, 'index', docs, '--library', 'perm', '--json'], { ...options, encoding: 'utf8' });
      expect(run.error).toBeUndefined();
      expect(run.status, run.stderr).toBe(0);
      const status = JSON.parse(execFileSync(node, [CLI, '--data-dir', data, 'status', '--library', 'perm', '--json'], { ...options, encoding: 'utf8' })) as LibraryStatus;
      const byName = Object.fromEntries(status.documents.map((d) => [d.relativePath, d]));
      expect(byName['secret.txt']).toMatchObject({ status: 'failed', reason: 'unreadable' });
      expect(byName['secret.txt']!.message).toMatch(/permission denied/i);
      expect(byName['locked-folder']).toMatchObject({ status: 'failed', reason: 'unreadable' });
      expect(byName['open.txt']).toMatchObject({ status: 'indexed' });
      expect(statSync(join(docs, 'secret.txt')).mode & 0o777).toBe(0);
    } finally {
      chmodSync(join(dir.dir, 'docs', 'locked-folder'), 0o755);
      dir.cleanup();
    }
  });
});
