import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { EngineProcess } from '../host/engine-host.js';
import type { EngineToHost } from '../shared/engine-protocol.js';

/** The engine's entry, next to this file's build output (or its TypeScript source under tsx and the tests). */
const ENGINE_ENTRY = new URL(import.meta.url.endsWith('.ts') ? '../engine/host/engine-entry.ts' : '../engine/host/engine-entry.js', import.meta.url);

/** The engine in a Node child process, for `quire serve`: a native abort in it (llama.cpp) costs only the engine. */
export function forkEngineProcess(entry: URL = ENGINE_ENTRY): EngineProcess {
  const fromSource = entry.pathname.endsWith('.ts');
  const child = fork(fileURLToPath(entry), [], {
    execArgv: fromSource ? ['--import', 'tsx'] : [],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited = false;
  const exitListeners: ((detail: string) => void)[] = [];
  child.on('exit', (code, signal) => {
    exited = true;
    const detail = signal ? `killed by ${signal}` : `exit code ${code}`;
    for (const listener of exitListeners.splice(0)) listener(detail);
  });
  // A send racing the child's death must not throw into the server.
  child.on('error', () => undefined);
  return {
    pid: child.pid ?? null,
    send: (message) => {
      if (!exited && child.connected) child.send(message);
    },
    onMessage: (listener) => child.on('message', (message) => listener(message as EngineToHost)),
    onExit: (listener) => {
      if (exited) listener('already exited');
      else exitListeners.push(listener);
    },
    // SIGTERM lets the engine close its libraries; one that does not go (hung) is killed.
    kill: () => {
      if (exited) return;
      child.kill('SIGTERM');
      setTimeout(() => !exited && child.kill('SIGKILL'), 3000).unref();
    },
  };
}
