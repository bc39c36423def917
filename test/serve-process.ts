import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import WebSocket from 'ws';
import { CLI } from './helpers.js';

/** `quire serve` as a real process: a crash is a dead process, not a logged error. */
export interface ServeProcess {
  child: ChildProcess;
  port: number;
  token: string;
  stderr: () => string;
  /** One contract call over the UI's WebSocket. */
  call: (method: string, params: unknown) => Promise<{ type: string; result?: unknown; error?: { code: string; message: string } }>;
  stop: () => Promise<void>;
}

export async function startServe(
  dataDir: string,
  args: string[] = [],
  options: { command?: string; prefix?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ServeProcess> {
  const command = options.command ?? process.execPath;
  const spawnOptions: SpawnOptions = { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env };
  const child = spawn(command, [...(options.prefix ?? []), ...(options.command ? [process.execPath] : []), CLI, '--data-dir', dataDir, 'serve', '--no-watch', ...args], spawnOptions);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const { port, token } = await new Promise<{ port: number; token: string }>((done, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`quire serve did not start: ${stderr}`)), options.timeoutMs ?? 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        done({ port: Number(match[1]), token: match[2]! });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`quire serve exited with ${code}: ${stderr}`));
    });
  });
  let nextId = 1;
  const call: ServeProcess['call'] = (method, params) =>
    new Promise((done, fail) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${token}`, { origin: `http://127.0.0.1:${port}` });
      const id = nextId++;
      ws.once('open', () => ws.send(JSON.stringify({ type: 'call', id, method, params })));
      ws.on('message', (data) => {
        const message = JSON.parse(data.toString()) as { type: string; id?: number };
        if (message.id === id && (message.type === 'result' || message.type === 'error')) {
          ws.close();
          done(message as never);
        }
      });
      ws.once('error', fail);
    });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
  };
  return { child, port, token, stderr: () => stderr, call, stop };
}
