import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';

const eslint = new ESLint({ cwd: ROOT });

/** The layer findings ESLint reports for `code` as if it were the file at `path` (nothing is written). */
async function findings(path: string, code: string): Promise<{ severity: number; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  return result!.messages.filter((m) => m.ruleId?.endsWith('/layers')).map(({ severity, message }) => ({ severity, message }));
}
const ERROR = 2;

describe('layer allowlists (eslint.config.js)', () => {
  it.each([
    ['electron/shared/x.ts', "import React from 'react';"],
    ['electron/shared/x.ts', "import { readFileSync } from 'node:fs';"],
    ['electron/shared/x.ts', "import type { Library } from '../engine/library.js';"],
    ['electron/engine/x.ts', "import { app } from 'electron';"],
    ['electron/engine/search/x.ts', "import { isAppUrl } from '../../main/security.js';"],
    ['electron/engine/x.ts', "export * from '../cli/data-dir.js';"],
    ['electron/engine/x.ts', "const r = await import('../../renderer/src/client/token.js');"],
    ['electron/engine/x.ts', "import type { X } from '../host/supervisor.js';"],
    ['electron/engine/x.ts', "import { ESLint } from 'eslint';"],
    ['electron/host/x.ts', "import { createEngine } from '../engine/index.js';"],
    ['electron/host/x.ts', "import { app } from 'electron';"],
    ['electron/main/x.ts', "import { Library } from '../engine/library.js';"],
    ['electron/main/x.ts', "import { createEngine } from '../engine/index.js';"],
    ['electron/main/x.ts', "import React from 'react';"],
    ['electron/preload/x.ts', "import { readFileSync } from 'node:fs';"],
    ['electron/preload/x.ts', "import { contract } from '../main/ipc-router.js';"],
    ['electron/cli/x.ts', "import { app } from 'electron';"],
    ['electron/cli/x.ts', "import { isAppUrl } from '../main/security.js';"],
    ['renderer/src/x.ts', "import { createEngine } from '../../electron/engine/index.js';"],
    ['renderer/src/x.ts', "import { readFileSync } from 'node:fs';"],
    ['renderer/src/x.ts', "import { ipcRenderer } from 'electron';"],
  ])('%s: %s is an error', async (path, code) => {
    expect((await findings(path, code)).map((f) => f.severity)).toContain(ERROR);
  });

  it.each([
    ['electron/shared/x.ts', "import { z } from 'zod'; import { Library } from './library.js';"],
    ['electron/engine/x.ts', "import { z } from 'zod'; import Database from 'better-sqlite3'; import { join } from 'node:path'; import { contract } from '../shared/contract.js'; import { Library } from './library.js';"],
    ['electron/host/x.ts', "import { fork } from 'node:child_process'; import { contract } from '../shared/contract.js';"],
    ['electron/main/x.ts', "import { app } from 'electron'; import { join } from 'node:path'; import { contract } from '../shared/contract.js'; import { EngineSupervisor } from '../host/supervisor.js';"],
    ['electron/preload/x.ts', "import { contextBridge } from 'electron'; import type { MethodName } from '../shared/contract.js';"],
    ['electron/cli/x.ts', "import { Command } from 'commander'; import { createEngine } from '../engine/index.js'; import { EngineSupervisor } from '../host/supervisor.js'; import { contract } from '../shared/contract.js';"],
    ['renderer/src/x.tsx', "import { useState } from 'react'; import { contract } from '../../electron/shared/contract.js';"],
  ])('%s: allowed imports pass', async (path, code) => {
    expect(await findings(path, code)).toEqual([]);
  });

  it('the CLI reaching past the engine entry is an error: it calls the engine API', async () => {
    expect(await findings('electron/cli/x.ts', "import { Library } from '../engine/library.js';")).toEqual([{ severity: ERROR, message: expect.stringMatching(/index\.ts only/) }]);
  });
});

describe('scripts/check-cycles.ts', () => {
  const tmp = tempDir('quire-cycles-');
  afterAll(() => tmp.cleanup());
  const run = (dir: string) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'check-cycles.ts'), dir], { cwd: ROOT, encoding: 'utf8' });

  it('finds a cycle of type-only imports through a folder index, and names the loop', () => {
    const dir = join(tmp.dir, 'cyclic');
    mkdirSync(join(dir, 'loaders'), { recursive: true });
    writeFileSync(join(dir, 'loaders', 'index.ts'), "export const table = { mail: () => import('./mail.js') };\n");
    writeFileSync(join(dir, 'loaders', 'mail.ts'), "import type { table } from './index.js';\nexport type T = typeof table;\n");
    writeFileSync(join(dir, 'a.ts'), "import { b } from './b.js';\nexport const a = 1 + b;\n");
    writeFileSync(join(dir, 'b.ts'), 'export const b = 2;\n');
    const result = run(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Import cycles \(1\)/);
    expect(result.stderr).toMatch(/loaders\/index\.ts -> .*loaders\/mail\.ts -> .*loaders\/index\.ts/);
  });

  it('passes on electron/ and renderer/src as they are', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'check-cycles.ts')], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
