import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, tempDir } from '../helpers.js';

let tmp: ReturnType<typeof tempDir>;
let data: string;

beforeAll(() => {
  tmp = tempDir();
  data = join(tmp.dir, 'data');
  const docs = join(tmp.dir, 'docs');
  mkdirSync(docs);
  for (let i = 0; i < 30; i++) writeFileSync(join(docs, `note-${i}.md`), `# Note ${i}\n\nThe lighthouse keeper logs the tides every evening, entry ${i}.\n`);
  const index = spawnSync(process.execPath, [CLI, '--data-dir', data, 'index', docs, '--library', 'notes', '--no-embed'], { encoding: 'utf8' });
  if (index.status !== 0) throw new Error(index.stderr);
});
afterAll(() => tmp.cleanup());

/** Runs quire with a stdout whose reader has gone away before quire writes anything (like `| head -0`). */
function withClosedStdout(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, '--data-dir', data, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (code, signal) => done({ code, signal, stderr }));
  });
}

describe('a closed stdout ends quire quietly with exit 0', () => {
  for (const args of [
    ['ask', 'When are the tides logged?', '--library', 'notes', '--json'],
    ['ask', 'When are the tides logged?', '--library', 'notes'],
    ['search', 'tides', '--library', 'notes', '--json'],
    ['status', '--library', 'notes', '--json'],
    ['libraries'],
    ['models', 'list'],
  ]) {
    it(`quire ${args.join(' ')}`, async () => {
      const run = await withClosedStdout(args);
      // Notices that belong on stderr may be there; a stack trace or an EPIPE error may not.
      expect(run.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
      expect(run).toMatchObject({ code: 0, signal: null });
    });
  }

  it('`quire ask --json | head -1` in a real shell pipeline: one line out, quire exits 0, nothing on stderr', () => {
    const cli = JSON.stringify(CLI);
    const script = `set -o pipefail; ${JSON.stringify(process.execPath)} ${cli} --data-dir ${JSON.stringify(data)} ask "When are the tides logged?" --library notes --json | head -1`;
    const run = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
  });
});
