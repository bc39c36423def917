import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAction, openWithSystemViewer, viewerCommand } from '../../electron/engine/host/open-file.js';
import { tempDir } from '../helpers.js';

describe('which sources are opened and which are only revealed', () => {
  const doc = 0o100644;
  it.each([
    ['/docs/report.pdf', 'linux', doc, 'open'],
    ['/docs/a&calc&b.txt', 'linux', doc, 'open'],
    ['/docs/notes.md', 'darwin', doc, 'open'],
    ['C:\\Docs\\report.docx', 'win32', undefined, 'open'],
    ['C:\\Docs\\a&calc&b.txt', 'win32', undefined, 'open'],
    ['/docs/install.sh', 'linux', doc, 'reveal'],
    ['/docs/tool', 'linux', 0o100755, 'reveal'],
    ['/docs/readme.txt', 'linux', 0o100744, 'reveal'],
    ['/docs/launcher.desktop', 'linux', doc, 'reveal'],
    ['/docs/App.AppImage', 'linux', doc, 'reveal'],
    ['/Users/me/Run.command', 'darwin', doc, 'reveal'],
    ['/Users/me/Thing.app', 'darwin', 0o040755, 'reveal'],
    ['/Users/me/setup.PKG', 'darwin', doc, 'reveal'],
    ...['.exe', '.bat', '.cmd', '.com', '.js', '.vbs', '.ps1', '.jar', '.msi', '.scr', '.lnk', '.hta', '.wsf', '.reg', '.py'].map(
      (ext) => [`C:\\Docs\\file${ext.toUpperCase()}`, 'win32', undefined, 'reveal'] as const,
    ),
  ] as const)('%s on %s (mode %o): %s', (path, platform, mode, expected) => {
    expect(openAction(path, platform, mode)).toBe(expected);
  });

  it('a file whose mode cannot be read (gone) is not opened', () => {
    expect(openAction('/no/such/file.txt', 'linux')).toBe('reveal');
  });
});

describe('the viewer is run without a shell, the path one argument', () => {
  it('Windows: explorer.exe, never cmd /c start', () => {
    const open = viewerCommand('C:\\Docs\\a&calc&b.txt', 'open', 'win32');
    expect(open.command).toMatch(/\\explorer\.exe$/i);
    expect(open.args).toEqual(['C:\\Docs\\a&calc&b.txt']);
    expect(viewerCommand('C:\\Docs\\setup.exe', 'reveal', 'win32').args).toEqual(['/select,C:\\Docs\\setup.exe']);
    expect(viewerCommand('\\\\server\\share\\x.pdf', 'open', 'win32').args).toEqual(['\\\\server\\share\\x.pdf']);
  });

  it('macOS: open, and open -R to reveal', () => {
    expect(viewerCommand('/Users/me/a b.pdf', 'open', 'darwin')).toEqual({ command: 'open', args: ['/Users/me/a b.pdf'] });
    expect(viewerCommand('/Users/me/Run.command', 'reveal', 'darwin')).toEqual({ command: 'open', args: ['-R', '/Users/me/Run.command'] });
  });

  it('Linux: xdg-open on the file, or on its folder to reveal', () => {
    expect(viewerCommand('/home/me/$(reboot).txt', 'open', 'linux')).toEqual({ command: 'xdg-open', args: ['/home/me/$(reboot).txt'] });
    expect(viewerCommand('/home/me/docs/install.sh', 'reveal', 'linux')).toEqual({ command: 'xdg-open', args: ['/home/me/docs'] });
  });

  it('refuses relative paths, which a viewer could read as options', () => {
    expect(() => viewerCommand('-e.txt', 'open', 'linux')).toThrow(/relative/);
    expect(() => viewerCommand('docs\\x.txt', 'open', 'win32')).toThrow(/relative/);
  });
});

describe.skipIf(process.platform === 'win32' || process.platform === 'darwin')('openWithSystemViewer on this machine (Linux)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let bin: string;
  let log: string;
  let ran: string;
  const originalPath = process.env.PATH;

  beforeAll(() => {
    tmp = tempDir();
    bin = join(tmp.dir, 'bin');
    mkdirSync(bin);
    log = join(tmp.dir, 'xdg-open.log');
    ran = join(tmp.dir, 'calc-ran');
    // A recording xdg-open, and a `calc` that leaves a mark if a shell ever splits a file name into commands.
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$#" "$@" >> '${log}'\n`, { mode: 0o755 });
    writeFileSync(join(bin, 'calc'), `#!/bin/sh\ntouch '${ran}'\n`, { mode: 0o755 });
    process.env.PATH = `${bin}:${originalPath}`;
  });
  afterAll(() => {
    process.env.PATH = originalPath;
    tmp.cleanup();
  });

  async function opened(name: string, mode: number): Promise<string[]> {
    const docs = join(tmp.dir, 'docs');
    mkdirSync(docs, { recursive: true });
    const file = join(docs, name);
    writeFileSync(file, 'text');
    chmodSync(file, mode);
    writeFileSync(log, '');
    expect(await openWithSystemViewer(file)).toBe(true);
    for (let i = 0; i < 100 && readFileSync(log, 'utf8') === ''; i++) await sleep(20);
    const [count, ...args] = readFileSync(log, 'utf8').trimEnd().split('\n');
    expect(Number(count)).toBe(args.length);
    return args;
  }

  it('a document goes to the viewer as one argument; nothing in its name runs', async () => {
    expect(await opened('a&calc&b;calc;$(calc).txt', 0o644)).toEqual([join(tmp.dir, 'docs', 'a&calc&b;calc;$(calc).txt')]);
    await sleep(100);
    expect(existsSync(ran)).toBe(false);
  });

  it('an executable (by extension or by its mode) is revealed: its folder is opened, not the file', async () => {
    expect(await opened('setup.sh', 0o644)).toEqual([join(tmp.dir, 'docs')]);
    expect(await opened('tool', 0o755)).toEqual([join(tmp.dir, 'docs')]);
    expect(await opened('Game.exe', 0o644)).toEqual([join(tmp.dir, 'docs')]);
  });
});
