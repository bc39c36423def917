// Bundles Electron main and preload into dist-electron/ (CommonJS, as sandboxed preloads require).
// Native modules stay external: they are loaded from node_modules (unpacked from asar when packaged).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const common = { bundle: true, platform: 'node' as const, format: 'cjs' as const, target: 'node20', sourcemap: true, external: ['electron'], logLevel: 'warning' as const };

await build({ ...common, entryPoints: [join(root, 'electron/main/main.ts')], outfile: join(root, 'dist-electron/main.cjs') });
await build({ ...common, entryPoints: [join(root, 'electron/preload/preload.ts')], outfile: join(root, 'dist-electron/preload.cjs') });
process.stdout.write('dist-electron/main.cjs and preload.cjs built\n');
