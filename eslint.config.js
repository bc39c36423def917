// Import boundaries from ARCHITECTURE.md, enforced so that a wrong import fails `npm test`.
import tseslint from 'typescript-eslint';

const restrict = (files, group, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [typeof group === 'string' ? { regex: group, message } : { group, message }] }],
  },
});

export default tseslint.config(
  { ignores: ['.scratch/**', 'dist/**', 'dist-electron/**', 'release/**', 'node_modules/**', 'renderer/dist/**', 'test/fixtures/generated/**', 'bench-out/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  restrict(['electron/shared/**'], '^(?!zod$|zod/|\\./)', 'electron/shared is the contract: it imports zod only.'),
  restrict(['electron/engine/**'], ['electron', 'electron/*', '**/main/**', '**/preload/**', '**/cli/**', '**/renderer/**'], 'The engine never imports Electron or a shell.'),
  restrict(['electron/host/**'], '^(?!\\.\\./shared/|node:)', 'The engine host supervises the engine process: it imports the contract and Node only.'),
  restrict(['electron/main/**'], ['**/engine/**', 'react', 'react-dom'], 'Electron main talks to the engine through the utility process, never by import.'),
  restrict(['electron/preload/**'], ['**/engine/**', '**/cli/**', '**/main/**'], 'The preload builds window.quire from the contract only.'),
  // One rule per file set (a later no-restricted-imports would replace an earlier one), so the CLI's two limits share it.
  {
    files: ['electron/cli/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*', '**/main/**', '**/preload/**', '**/renderer/**'], message: 'The CLI is a shell over the engine; it never imports Electron.' },
          { regex: '/engine/(?!index\\.js$)', message: 'The CLI calls the engine API: import only electron/engine/index.js (re-export there what a shell truly needs).' },
        ],
      }],
    },
  },
  // '/electron' (anchored) is the Electron package; a bare 'electron' would also match the
  // '../electron/shared/...' path the renderer is meant to import.
  restrict(['renderer/**'], ['**/engine/**', '**/main/**', '**/cli/**', '**/preload/**', '/electron', 'node:*'], 'The renderer imports electron/shared only.'),
);
