import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, tempDir } from '../helpers.js';
import { startServe } from '../serve-process.js';

// Modes mean little on Windows, where the per-user folder's ACL protects the data.
const posix = process.platform !== 'win32';
const MODEL = resolve(ROOT, '..', 'shared', 'models', 'stories260K', 'stories260K.gguf');

let tmp: ReturnType<typeof tempDir>;
let docs: string;

/** quire under the usual umask 022, which on its own would make files 0644 and folders 0755. */
function quire(data: string, ...args: string[]) {
  const command = ['umask 022', `exec "$0" "$@"`].join('; ');
  return spawnSync('sh', ['-c', command, process.execPath, CLI, '--data-dir', data, ...args], { encoding: 'utf8' });
}
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8).padStart(3, '0');

/** Every file and folder under `dir` with its mode. */
function modes(dir: string, into: Record<string, string> = {}, prefix = ''): Record<string, string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    into[prefix + entry] = mode(path);
    if (statSync(path).isDirectory()) modes(path, into, `${prefix}${entry}/`);
  }
  return into;
}

beforeAll(() => {
  tmp = tempDir();
  docs = join(tmp.dir, 'docs');
  mkdirSync(docs);
  writeFileSync(join(docs, 'secret.md'), '# Secret\n\nThe safe combination is 12-34-56.\n');
  chmodSync(join(docs, 'secret.md'), 0o600);
});
afterAll(() => tmp.cleanup());

describe.skipIf(!posix)('private by default, under a 022 umask', () => {
  it('a new install: data folder 0700, library, registry, profiles, API key, settings 0600, WAL and SHM too', async () => {
    const data = join(tmp.dir, 'fresh');
    expect(quire(data, 'index', docs, '--library', 'private', '--no-embed').status).toBe(0);
    expect(quire(data, 'profiles', 'set', 'terse', '--description', 'short answers').status).toBe(0);
    expect(quire(data, 'api-key').status).toBe(0);
    if (existsSync(MODEL)) expect(quire(data, 'models', 'import', MODEL).status).toBe(0);
    else console.warn(`[skipped] registry mode after import: ${MODEL} is not present`);

    // The server keeps the library open (WAL and SHM exist) and writes settings.
    const serve = await startServe(data, [], { command: 'sh', prefix: ['-c', 'umask 022; exec "$0" "$@"'] });
    try {
      expect((await serve.call('libraries.status', { library: 'private' })).type).toBe('result');
      expect((await serve.call('settings.set', { theme: 'dark' })).type).toBe('result');
      const open = modes(data);
      expect(open['libraries/private.sqlite-wal']).toBe('600');
      expect(open['libraries/private.sqlite-shm']).toBe('600');
    } finally {
      await serve.stop();
    }
    const all = modes(data);
    expect(mode(data)).toBe('700');
    expect(all).toMatchObject({ libraries: '700', 'libraries/private.sqlite': '600', 'profiles.json': '600', 'api-key': '600', 'settings.json': '600' });
    if (existsSync(MODEL)) expect(all).toMatchObject({ models: '700', 'models/registry.json': '600' });
    for (const [path, m] of Object.entries(all)) expect(`${path} ${m}`).toMatch(/ (700|600)$/);
  });

  it('an existing install with 0755 folders and 0644 files is made private on start', () => {
    const data = join(tmp.dir, 'old');
    expect(quire(data, 'index', docs, '--library', 'old', '--no-embed').status).toBe(0);
    expect(quire(data, 'profiles', 'set', 'terse').status).toBe(0);
    mkdirSync(join(data, 'models', 'downloads'), { recursive: true });
    writeFileSync(join(data, 'models', 'registry.json'), '{"version":1,"models":[],"adapters":[]}\n');
    writeFileSync(join(data, 'settings.json'), '{}');
    // What an older Quire left behind.
    for (const [path, m] of Object.entries(modes(data))) chmodSync(join(data, path), m.startsWith('7') ? 0o755 : 0o644);
    chmodSync(data, 0o755);
    // A file that is not Quire's, in case the data folder was pointed somewhere shared: left alone.
    writeFileSync(join(data, 'someone-elses.txt'), 'not ours');
    chmodSync(join(data, 'someone-elses.txt'), 0o644);

    expect(quire(data, 'libraries').status).toBe(0);
    const all = modes(data);
    expect(mode(data)).toBe('700');
    expect(all).toMatchObject({
      libraries: '700', 'libraries/old.sqlite': '600', models: '700', 'models/downloads': '700', 'models/registry.json': '600',
      'profiles.json': '600', 'settings.json': '600', 'someone-elses.txt': '644',
    });
  });

  it('an evaluation report written by quire is 0600 (the process umask)', () => {
    const data = join(tmp.dir, 'report');
    expect(quire(data, 'index', docs, '--library', 'r', '--no-embed').status).toBe(0);
    const questions = join(tmp.dir, 'questions.jsonl');
    writeFileSync(questions, '{"id":"q1","question":"What is the safe combination?","answer":"12-34-56"}\n');
    const report = join(tmp.dir, 'report.html');
    const run = quire(data, 'eval', questions, '--library', 'r', '--report', report);
    expect(run.status, run.stderr).toBe(0);
    expect(mode(report)).toBe('600');
  });
});
