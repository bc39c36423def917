import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
interface BuilderConfig {
  files: string[];
  asarUnpack: string[];
  electronFuses: Record<string, boolean>;
}
const config = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** Folders of every installed production dependency, transitively (what electron-builder packs). */
function productionPackages(): string[] {
  const found = new Set<string>();
  const visit = (name: string, from: string): void => {
    // Node's lookup: the nearest node_modules upward from the dependent package.
    for (let dir = from; ; dir = join(dir, '..')) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) {
        if (found.has(candidate)) return;
        found.add(candidate);
        const manifest = JSON.parse(readFileSync(join(candidate, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
        for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) visit(dependency, candidate);
        return;
      }
      if (dir === ROOT || dir === '/') return; // not installed (an optional dependency for another platform)
    }
  };
  for (const name of Object.keys(pkg.dependencies)) visit(name, ROOT);
  return [...found];
}

/** Native code in a package (not in its own nested node_modules, which are packages of their own). */
function nativeFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) nativeFiles(path, out);
    else if (/\.(node|dylib|dll)$|\.so(\.\d+)*$/.test(entry.name) && statSync(path).size > 0) out.push(path);
  }
  return out;
}

describe('packaged app (electron-builder.yml)', () => {
  it('unpacks from asar every native library the production dependencies ship', () => {
    const unpacked = picomatch(config.asarUnpack, { dot: true });
    const natives = productionPackages().flatMap((dir) => nativeFiles(dir)).map((file) => relative(ROOT, file).split('\\').join('/'));
    expect(natives.some((file) => file.includes('better_sqlite3.node'))).toBe(true);
    expect(natives.some((file) => file.includes('libvips'))).toBe(true);
    expect(natives.filter((file) => !unpacked(file))).toEqual([]);
  });

  it('the packages it leaves out are not needed to read a PDF or embed a passage', () => {
    const left = config.files.filter((pattern) => pattern.startsWith('!node_modules/')).map((pattern) => pattern.slice('!node_modules/'.length).replace(/\/\*\*$/, ''));
    expect(left).toContain('onnxruntime-web');
    const load = (excluded: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', '--import', join(ROOT, 'test/hosts/exclude-packages.mjs'), join(ROOT, 'test/hosts/load-without.ts'), join(ROOT, 'test/fixtures/generated/all-formats/report.pdf'), join(ROOT, 'test/fixtures/generated/models/tiny-embedder')], {
        cwd: ROOT, encoding: 'utf8', env: { ...process.env, QUIRE_EXCLUDED_PACKAGES: excluded.join(',') }, timeout: 120_000,
      });
    const without = load(left);
    expect(without.status, without.stderr).toBe(0);
    expect(JSON.parse(without.stdout.trim())).toMatchObject({ parsed: 'indexed', chunks: 3, dimension: 32 });
    // The check can fail: sharp, which transformers.js imports, cannot be left out.
    const withoutSharp = load(['sharp']);
    expect(withoutSharp.status).not.toBe(0);
    expect(withoutSharp.stderr).toMatch(/Cannot find package sharp/);
  }, 180_000);

  it('fuses: no RunAsNode, no NODE_OPTIONS, no extra file:// privileges', () => {
    expect(config.electronFuses).toMatchObject({ runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false, grantFileProtocolExtraPrivileges: false, onlyLoadAppFromAsar: true });
  });
});
