// A host that cannot start processes, like a packaged Electron app with the RunAsNode fuse off:
// loaded with `node --import`, it makes every way of starting a child process throw in the engine's
// main thread, where workers are started (Node 20 does not run --import in worker threads). With
// QUIRE_FAKE_ELECTRON set it also claims to be Electron, as the engine's utility process does.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';

const forbidden = (name) =>
  function () {
    throw new Error(`child_process.${name} is forbidden in this host`);
  };
for (const name of ['fork', 'spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync']) childProcess[name] = forbidden(name);
syncBuiltinESMExports();

if (process.env.QUIRE_FAKE_ELECTRON) Object.defineProperty(process.versions, 'electron', { value: process.env.QUIRE_FAKE_ELECTRON, enumerable: true });
