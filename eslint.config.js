// Import boundaries from ARCHITECTURE.md, enforced so that a wrong import fails `npm test`. Each
// layer lists what it MAY import (an allowlist): project layers by resolved path, packages by name.
// Import cycles are checked by scripts/check-cycles.ts (also part of `npm run lint`).
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const root = dirname(fileURLToPath(import.meta.url));
const dependencies = Object.keys(JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).dependencies);

/** The layer a repository path belongs to (the engine's entry is a layer of its own for the CLI). */
const LAYERS = [
  ['engine-entry', (path) => path === 'electron/engine/index.ts' || path === 'electron/engine/index.js'],
  ['shared', (path) => path.startsWith('electron/shared/')],
  ['engine', (path) => path.startsWith('electron/engine/')],
  ['host', (path) => path.startsWith('electron/host/')],
  ['main', (path) => path.startsWith('electron/main/')],
  ['preload', (path) => path.startsWith('electron/preload/')],
  ['cli', (path) => path.startsWith('electron/cli/')],
  ['renderer', (path) => path.startsWith('renderer/')],
];
const layerOf = (path) => LAYERS.find(([, test]) => test(path))?.[0] ?? 'outside';
const packageOf = (specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
const isBuiltin = (specifier) => specifier.startsWith('node:') || builtinModules.includes(packageOf(specifier));

/**
 * `quire/layers`: every import (static, type-only, re-export or dynamic) must be allowed by the
 * options: `layers` (project layers, by the imported file's resolved path), `node` (builtins) and
 * `packages` (npm package names).
 */
const layersRule = {
  meta: { type: 'problem', schema: [{ type: 'object', properties: { layers: { type: 'array' }, node: { type: 'boolean' }, packages: { type: 'array' }, message: { type: 'string' } }, additionalProperties: false }] },
  create(context) {
    const { layers = [], node = false, packages = [], message = '' } = context.options[0] ?? {};
    const file = context.filename ?? context.getFilename();
    const check = (source) => {
      if (!source || typeof source.value !== 'string') return;
      const specifier = source.value;
      let allowed;
      let what;
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = relative(root, resolve(dirname(file), specifier)).split('\\').join('/').replace(/\.js$/, '.ts');
        what = `${target} (layer ${layerOf(target)})`;
        allowed = layers.includes(layerOf(target));
      } else if (isBuiltin(specifier)) {
        what = `the Node builtin ${specifier}`;
        allowed = node;
      } else {
        what = `the package ${packageOf(specifier)}`;
        allowed = packages.includes(packageOf(specifier));
      }
      if (!allowed) context.report({ node: source, message: `${layerOf(relative(root, file).split('\\').join('/'))} may not import ${what}. ${message}`.trim() });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source.type === 'Literal' ? node.source : null),
    };
  },
};

const layer = (files, options, level = 'error') => ({ files, plugins: { quire: { rules: { layers: layersRule } } }, rules: { 'quire/layers': [level, options] } });

export default tseslint.config(
  { ignores: ['.scratch/**', 'dist/**', 'dist-electron/**', 'release/**', 'node_modules/**', 'renderer/dist/**', 'test/fixtures/generated/**', 'bench-out/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  layer(['electron/shared/**'], { layers: ['shared'], packages: ['zod'], message: 'electron/shared is the contract: it imports zod only.' }),
  layer(['electron/engine/**'], { layers: ['shared', 'engine', 'engine-entry'], node: true, packages: dependencies, message: 'The engine imports the contract, Node and its own dependencies; never Electron or a shell.' }),
  layer(['electron/host/**'], { layers: ['shared', 'host'], node: true, message: 'The engine host is shared by main and the CLI: it imports the contract only.' }),
  layer(['electron/main/**'], { layers: ['shared', 'main', 'host'], node: true, packages: ['electron'], message: 'Electron main talks to the engine through the engine host, never by import.' }),
  layer(['electron/preload/**'], { layers: ['shared', 'preload'], packages: ['electron'], message: 'The preload builds window.quire from the contract only.' }),
  // The CLI calls the engine API: the engine's entry only (re-export there what a shell truly needs).
  layer(['electron/cli/**'], { layers: ['shared', 'cli', 'host', 'engine-entry'], node: true, packages: dependencies, message: 'The CLI is a shell over the engine API: it imports the engine through electron/engine/index.ts only, and never Electron.' }),
  layer(['renderer/src/**'], { layers: ['shared', 'renderer'], packages: ['react', 'react-dom', 'markdown-it', 'zod', 'pdfjs-dist'], message: 'The renderer imports electron/shared only.' }),
);
