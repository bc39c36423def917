import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, extname, isAbsolute, posix, win32 } from 'node:path';

/**
 * Types the platform would run rather than show when "opened" (Windows, macOS and Linux desktops, and the script
 * interpreters they associate). A source of one of these types is revealed in its folder instead.
 */
export const EXECUTABLE_EXTENSIONS: ReadonlySet<string> = new Set([
  // Windows programs, installers, shortcuts and script hosts
  '.exe', '.com', '.bat', '.cmd', '.scr', '.pif', '.msi', '.msp', '.mst', '.msc', '.cpl', '.hta', '.lnk', '.url', '.reg', '.inf', '.scf',
  '.js', '.jse', '.vbs', '.vbe', '.vb', '.wsf', '.wsh', '.ws', '.ps1', '.psm1', '.psd1', '.ps1xml', '.ps2', '.psc1', '.application', '.appref-ms',
  '.gadget', '.settingcontent-ms', '.diagcab', '.appx', '.msix', '.appinstaller', '.chm', '.library-ms', '.searchconnector-ms',
  // Java, .NET and other cross-platform runners
  '.jar', '.jnlp', '.class', '.mjs', '.cjs',
  // Script interpreters a desktop may associate
  '.sh', '.bash', '.zsh', '.ksh', '.csh', '.fish', '.py', '.pyw', '.pyc', '.pyz', '.pl', '.rb', '.php', '.lua', '.tcl',
  // macOS applications, installers and scripts
  '.app', '.command', '.tool', '.terminal', '.workflow', '.action', '.pkg', '.mpkg', '.dmg', '.scpt', '.scptd', '.applescript', '.osax', '.prefpane', '.webloc', '.inetloc',
  // Linux desktop launchers and self-running images
  '.desktop', '.appimage', '.run', '.bin', '.deb', '.rpm', '.snap', '.flatpakref',
]);

export type OpenAction = 'open' | 'reveal';

/**
 * Whether a file is shown with its viewer or only revealed in its folder: executable types (by extension on every
 * platform, and by the executable bit on Unix) are never opened, since opening them runs them.
 */
export function openAction(path: string, platform: NodeJS.Platform = process.platform, mode?: number): OpenAction {
  const extension = extname(platform === 'win32' ? win32.basename(path) : path).toLowerCase();
  if (EXECUTABLE_EXTENSIONS.has(extension)) return 'reveal';
  if (platform !== 'win32') {
    const fileMode = mode ?? statSync(path, { throwIfNoEntry: false })?.mode;
    // Unknown (the file is gone) or executable by anyone: never hand it to the viewer.
    if (fileMode === undefined || (fileMode & 0o111) !== 0) return 'reveal';
  }
  return 'open';
}

/**
 * The program and argument array that show a file (or reveal it in its folder) on a platform. No shell is involved:
 * the path is one argument, so `a&calc&b.txt` is a file name, not three commands.
 */
export function viewerCommand(path: string, action: OpenAction, platform: NodeJS.Platform = process.platform): { command: string; args: string[] } {
  const absolute = platform === 'win32' ? win32.isAbsolute(path) && /^([a-zA-Z]:\\|\\\\)/.test(path) : posix.isAbsolute(path);
  // A relative path (or one starting with "-") could be read as an option by the viewer.
  if (!absolute) throw new Error(`Refusing to open a relative path: ${path}`);
  if (platform === 'darwin') return { command: 'open', args: action === 'open' ? [path] : ['-R', path] };
  if (platform === 'win32') {
    const explorer = `${process.env.SystemRoot ?? 'C:\\Windows'}\\explorer.exe`;
    return { command: explorer, args: action === 'open' ? [path] : [`/select,${path}`] };
  }
  // xdg-open has no "select this file": the folder that holds it is opened instead.
  return { command: 'xdg-open', args: [action === 'open' ? path : dirname(path)] };
}

/** Opens a file with the platform's viewer, or reveals it in its folder when it is an executable type. */
export function openWithSystemViewer(path: string): Promise<boolean> {
  if (!isAbsolute(path)) return Promise.resolve(false);
  const { command, args } = viewerCommand(path, openAction(path));
  return new Promise((done) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', shell: false, windowsHide: false });
    child.once('error', () => done(false));
    child.once('spawn', () => {
      child.unref();
      done(true);
    });
  });
}
