import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyEmbedder } from '../../scripts/fixtures/tiny-embedder.js';
import { CLI, ROOT, tempDir } from '../helpers.js';

// "Nothing leaves the machine", checked: index, search, ask a real tiny model and serve one API request inside an empty
// network namespace, under strace, and look at every connection and datagram any Quire process (or its workers) tried.

const MODEL = resolve(ROOT, '..', 'shared', 'models', 'stories260K', 'stories260K.gguf');
const modelPresent = existsSync(MODEL);

/** How to enter an empty network namespace here, or why it cannot be done. */
function sandbox(): { prefix: string[] } | { skip: string } {
  if (process.platform !== 'linux') return { skip: 'network namespaces are Linux only' };
  const has = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
  if (!has('strace')) return { skip: 'strace is not installed (.ci/run installs it)' };
  if (!has('unshare')) return { skip: 'unshare (util-linux) is not installed' };
  for (const prefix of [['unshare', '-rn'], ['unshare', '-n']]) {
    // `ip` brings the namespace's loopback up (quire serve listens there); strace must be able to trace inside.
    const probe = spawnSync(prefix[0]!, [...prefix.slice(1), 'sh', '-c', 'ip link set lo up && strace -f -qq -e trace=network -o /dev/null true'], { encoding: 'utf8' });
    if (probe.status === 0) return { prefix };
  }
  return { skip: 'cannot create an empty network namespace with a loopback and strace in it here (no user namespaces, or no `ip`)' };
}

interface Attempt {
  line: string;
  why: string;
}

/** Every attempt in an strace log to reach something that is not this machine, or to look a name up. */
function offMachineAttempts(trace: string): Attempt[] {
  const found: Attempt[] = [];
  for (const line of trace.split('\n')) {
    if (!/\b(connect|sendto|sendmsg|sendmmsg)\(/.test(line)) continue;
    const port = /sin6?_port=htons\((\d+)\)/.exec(line);
    if (port && (port[1] === '53' || port[1] === '853' || port[1] === '5353')) found.push({ line, why: `DNS (port ${port[1]})` });
    const v4 = /sin_addr=inet_addr\("([\d.]+)"\)/.exec(line);
    if (v4 && !v4[1]!.startsWith('127.') && v4[1] !== '0.0.0.0') found.push({ line, why: `IPv4 ${v4[1]}` });
    const v6 = /inet_pton\(AF_INET6, "([^"]+)"/.exec(line);
    if (v6 && v6[1] !== '::1' && !/^::ffff:127\./.test(v6[1]!) && v6[1] !== '::') found.push({ line, why: `IPv6 ${v6[1]}` });
    const unix = /sun_path="([^"]+)"/.exec(line);
    if (unix && /nscd|systemd\/resolve|resolved|avahi/.test(unix[1]!)) found.push({ line, why: `name lookup through ${unix[1]}` });
    if (/sa_family=AF_(PACKET|BLUETOOTH|NETLINK)/.test(line) && /sendto|sendmsg/.test(line) && !/AF_NETLINK/.test(line)) found.push({ line, why: 'raw network access' });
  }
  return found;
}

const box = sandbox();
if ('skip' in box) console.warn(`[skipped] offline audit: ${box.skip}`);
if (!modelPresent) console.warn(`[skipped] offline audit, the "ask a model" step: ${MODEL} is not present (index, search and serve are still audited)`);

let tmp: ReturnType<typeof tempDir>;

beforeAll(() => {
  tmp = tempDir('quire-offline-');
});
afterAll(() => tmp.cleanup());

function traced(script: string, name: string): { status: number | null; trace: string; output: string } {
  if ('skip' in box) throw new Error(box.skip);
  const file = join(tmp.dir, `${name}.sh`);
  const trace = join(tmp.dir, `${name}.trace`);
  writeFileSync(file, `set -eu\nip link set lo up\n${script}\n`);
  const run = spawnSync(box.prefix[0]!, [...box.prefix.slice(1), 'strace', '-f', '-qq', '-e', 'trace=network', '-o', trace, 'sh', file], {
    encoding: 'utf8', timeout: 240_000,
  });
  return { status: run.status, trace: existsSync(trace) ? readFileSync(trace, 'utf8') : '', output: `${run.stdout}\n${run.stderr}` };
}

describe.skipIf('skip' in box)('offline audit: nothing Quire does tries to leave the machine', () => {
  it('the audit sees an attempt when one is made (a connection out, a DNS lookup)', () => {
    const node = JSON.stringify(process.execPath);
    const run = traced(
      `${node} -e 'require("net").connect(443, "93.184.215.14").on("error", () => {}); require("dns").lookup("quire-audit.example.org", () => {})' || true`,
      'control',
    );
    const whys = offMachineAttempts(run.trace).map((a) => a.why);
    expect(whys).toContain('IPv4 93.184.215.14');
    expect(whys.some((w) => w.startsWith('DNS') || w.startsWith('name lookup'))).toBe(true);
  });

  it('index (with an embedder), search, ask a real model and serve /v1 requests: loopback only', () => {
    const docs = join(tmp.dir, 'docs');
    mkdirSync(docs);
    writeFileSync(join(docs, 'notes.md'), '# Notes\n\nThe lighthouse keeper logs the tides every evening.\n');
    writeFileSync(join(docs, 'page.html'), '<html><head><link rel="stylesheet" href="https://example.com/x.css"><script src="https://example.com/t.js"></script></head><body><img src="https://example.com/pixel.gif"><p>Harbour pilots meet the ferry at noon.</p></body></html>');
    const embedder = join(tmp.dir, 'tiny-embedder');
    makeTinyEmbedder(embedder);
    const data = join(tmp.dir, 'data');
    const q = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} --data-dir ${JSON.stringify(data)}`;
    const node = JSON.stringify(process.execPath);
    const port = 18_765; // the namespace is empty: no one else can hold it
    const request = (path: string, body?: object) =>
      `${node} -e 'fetch("http://127.0.0.1:${port}${path}", { method: "${body ? 'POST' : 'GET'}", headers: { Authorization: "Bearer " + process.env.KEY, "Content-Type": "application/json" }${body ? `, body: ${JSON.stringify(JSON.stringify(body))}` : ''} }).then(async (r) => { const t = await r.text(); console.log("API ${path} " + r.status + " " + t.slice(0, 80)); if (r.status !== 200) process.exit(1); })'`;
    const script = [
      `${q} index ${JSON.stringify(docs)} --library audit --embedder ${JSON.stringify(embedder)} --json`,
      `${q} search lighthouse --library audit --json | head -c 200; echo`,
      ...(modelPresent ? [`${q} models import ${JSON.stringify(MODEL)}`, `${q} ask "When are the tides logged?" --library audit --max-tokens 16 --json | tail -1`] : []),
      `${q} serve --port ${port} --no-watch > serve.log 2>&1 &`,
      'SERVE=$!',
      `export KEY=$(${q} api-key)`,
      `for i in $(seq 1 100); do grep -q "127.0.0.1:${port}" serve.log && break; sleep 0.2; done`,
      request('/v1/models'),
      request('/v1/embeddings', { model: 'quire/audit', input: 'tides' }),
      ...(modelPresent ? [request('/v1/chat/completions', { model: 'quire/audit', max_tokens: 16, messages: [{ role: 'user', content: 'When are the tides logged?' }] })] : []),
      'kill $SERVE; wait $SERVE || true',
    ].join('\n');
    const run = traced(`cd ${JSON.stringify(tmp.dir)}\n${script}`, 'quire');
    expect(run.status, run.output).toBe(0);
    expect(run.output).toMatch(/API \/v1\/models 200/);
    expect(run.output).toMatch(/API \/v1\/embeddings 200/);
    if (modelPresent) expect(run.output).toMatch(/API \/v1\/chat\/completions 200/);
    // The trace saw Quire's own loopback traffic, so it was really watching.
    expect(run.trace).toMatch(/connect\(\d+, \{sa_family=AF_INET, sin_port=htons\(18765\), sin_addr=inet_addr\("127\.0\.0\.1"\)/);
    expect(offMachineAttempts(run.trace)).toEqual([]);
  }, 300_000);
});
