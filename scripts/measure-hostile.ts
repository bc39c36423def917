// Peak memory of `quire index` over the generated hostile folder (scripts/fixtures/hostile.ts): the engine process plus
// every process under it (parsers, OCR), sampled from /proc every 50 ms. Linux only.
//   npx tsx scripts/measure-hostile.ts [--keep DIR]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { makeHostileFolder } from './fixtures/hostile.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

/** Resident memory of a process and all its descendants, in bytes. */
export function treeRss(pid: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const parent = Number(fields[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
      rss.set(Number(entry), Number(fields[21]) * 4096);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    total += rss.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

/** Runs `quire index` over a folder and samples the process tree's memory; returns the summary and the peak. */
export async function indexMeasured(folder: string, dataDir: string): Promise<{ summary: unknown; peakBytes: number; seconds: number; stderr: string }> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, '--data-dir', dataDir, 'index', folder, '--library', 'hostile', '--no-embed', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let peakBytes = 0;
  const timer = setInterval(() => (peakBytes = Math.max(peakBytes, treeRss(child.pid!))), 50);
  const code = await new Promise<number | null>((done) => child.once('close', done));
  clearInterval(timer);
  if (code !== 0) throw new Error(`quire index exited with ${code}: ${stderr}`);
  return { summary: JSON.parse(stdout.trim().split('\n').at(-1)!), peakBytes, seconds: (Date.now() - started) / 1000, stderr };
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('measure-hostile.ts')) {
  const keep = process.argv.indexOf('--keep');
  const dir = keep > 0 ? resolve(process.argv[keep + 1]!) : mkdtempSync(join(tmpdir(), 'quire-hostile-'));
  const folder = join(dir, 'folder');
  if (!existsSync(folder)) {
    const t = Date.now();
    await makeHostileFolder(folder);
    console.log(`hostile folder written in ${((Date.now() - t) / 1000).toFixed(1)} s: ${folder}`);
  }
  const data = join(dir, `data-${Date.now()}`);
  const { summary, peakBytes, seconds } = await indexMeasured(folder, data);
  console.log(JSON.stringify(summary));
  const status = spawn(process.execPath, [CLI, '--data-dir', data, 'status', '--library', 'hostile', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  status.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((done) => status.once('close', done));
  for (const d of (JSON.parse(out) as { documents: { relativePath: string; status: string; reason: string | null; message: string | null }[] }).documents) {
    console.log(`${d.relativePath.padEnd(20)} ${d.status.padEnd(8)} ${(d.reason ?? '').padEnd(14)} ${(d.message ?? '').slice(0, 110)}`);
  }
  console.log(`peak RSS (engine + workers): ${(peakBytes / 1024 ** 2).toFixed(0)} MiB; ${seconds.toFixed(1)} s`);
  if (keep < 0) rmSync(dir, { recursive: true, force: true });
}
