// The ABI question: better-sqlite3 is a native addon compiled for one runtime. Tests and the CLI
// run on Node; the desktop app runs on Electron, whose ABI differs. This script keeps one build per
// runtime under node_modules/.quire-abi/<runtime>/ and swaps the right one into place.
//   tsx scripts/native-abi.ts node       (npm start / npm test: make sure the Node build is active)
//   tsx scripts/native-abi.ts electron   (npm run desktop: build for Electron once, then activate it)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const addon = join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
const cacheDir = (runtime: string) => join(root, 'node_modules/.quire-abi', runtime);
const marker = join(root, 'node_modules/.quire-abi/active');
const runtime = process.argv[2];
if (runtime !== 'node' && runtime !== 'electron') {
  process.stderr.write('usage: tsx scripts/native-abi.ts node|electron\n');
  process.exit(2);
}

function loadsInNode(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const Database = require(join(root, 'node_modules/better-sqlite3')) as new (file: string) => { close(): void };
    new Database(':memory:').close();
    return true;
  } catch {
    return false;
  }
}

function save(runtimeName: string): void {
  mkdirSync(cacheDir(runtimeName), { recursive: true });
  copyFileSync(addon, join(cacheDir(runtimeName), 'better_sqlite3.node'));
}

function activate(runtimeName: string): boolean {
  const cached = join(cacheDir(runtimeName), 'better_sqlite3.node');
  if (!existsSync(cached)) return false;
  copyFileSync(cached, addon);
  writeFileSync(marker, runtimeName);
  return true;
}

const active = existsSync(marker) ? readFileSync(marker, 'utf8') : 'node';
if (runtime === 'node') {
  if (active !== 'node' && !activate('node')) execFileSync('npm', ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit' });
  if (!loadsInNode()) execFileSync('npm', ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit' });
  save('node');
  writeFileSync(marker, 'node');
  process.stdout.write('better-sqlite3: Node build active\n');
} else {
  if (active === 'node') save('node');
  if (!activate('electron')) {
    // Needs Electron's headers (downloaded by @electron/rebuild); run once on a machine with network access.
    execFileSync('npx', ['--yes', '@electron/rebuild@3.7.0', '--only', 'better-sqlite3', '--force'], { cwd: root, stdio: 'inherit' });
    save('electron');
    writeFileSync(marker, 'electron');
  }
  process.stdout.write('better-sqlite3: Electron build active (run `tsx scripts/native-abi.ts node` before tests)\n');
}
