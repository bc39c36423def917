import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import picomatch from 'picomatch';
import type { DocumentReason } from '../../shared/library.js';

export interface WalkOptions {
  /** Globs over the path relative to the folder (`**\/*.md`); empty means everything. */
  include?: string[];
  exclude?: string[];
  /** Hidden entries (names starting with "."), `node_modules` and `.git` are skipped unless this is true. */
  includeHidden?: boolean;
  /**
   * Folders (real paths) that symbolic links may lead into: the library's folders. A link to anything else is reported
   * as `outside-folder` and not followed, unless `followLinksOutside` is set. The walked folder is always allowed.
   */
  allowedRoots?: string[];
  followLinksOutside?: boolean;
  signal?: AbortSignal;
}

/** A file found by the walk. `rawPath` holds the exact bytes of the name, which may not be UTF-8. */
export interface FoundFile {
  type: 'file';
  path: string;
  rawPath: Buffer;
  relativePath: string;
  size: number;
  mtimeMs: number;
  /** Set when the name is not valid UTF-8 and `path` is a lossless latin-1 rendering of it. */
  nonUtf8Name: boolean;
}

/** Something at a path that cannot be indexed, reported so the user can see why. */
export interface WalkProblem {
  type: 'problem';
  path: string;
  rawPath: Buffer;
  relativePath: string;
  reason: Extract<DocumentReason, 'symlink-loop' | 'broken-link' | 'unreadable' | 'outside-folder'>;
  message: string;
  nonUtf8Name: boolean;
}

export type WalkEntry = FoundFile | WalkProblem;

const ALWAYS_SKIPPED = new Set(['node_modules', '.git', '.svn', '.hg', '__pycache__']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a file name; names that are not UTF-8 are shown as latin-1, which maps every byte to one character. */
export function displayName(raw: Buffer): { name: string; nonUtf8: boolean } {
  try {
    return { name: utf8.decode(raw), nonUtf8: false };
  } catch {
    return { name: raw.toString('latin1'), nonUtf8: true };
  }
}

/**
 * Walks a folder depth-first, in name order, following symbolic links while they stay inside the library's folders
 * but never into a folder already on the current path or already walked (a loop), and reporting what it cannot read.
 */
export async function* walkFolder(root: string, options: WalkOptions = {}): AsyncGenerator<WalkEntry> {
  const included = options.include?.length ? picomatch(options.include, { dot: true }) : () => true;
  const excluded = options.exclude?.length ? picomatch(options.exclude, { dot: true }) : () => false;
  const rootReal = await realpath(root);
  const visited = new Set<string>([rootReal]);
  const allowed = [rootReal, ...(options.allowedRoots ?? [])];
  const leavesLibrary = (real: string): boolean => !options.followLinksOutside && !allowed.some((root) => isInside(root, real));

  async function* walk(dirRaw: Buffer, dirRelative: string, dirReal: string): AsyncGenerator<WalkEntry> {
    let entries;
    try {
      entries = await readdir(dirRaw, { withFileTypes: true, encoding: 'buffer' });
    } catch (error) {
      const { name, nonUtf8 } = displayName(dirRaw);
      yield { type: 'problem', path: name, rawPath: dirRaw, relativePath: dirRelative, reason: 'unreadable', message: `Cannot read the folder: ${errorText(error)}`, nonUtf8Name: nonUtf8 };
      return;
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    for (const entry of entries) {
      if (options.signal?.aborted) return;
      const { name, nonUtf8 } = displayName(entry.name);
      if (!options.includeHidden && (name.startsWith('.') || ALWAYS_SKIPPED.has(name))) continue;
      const rawPath = Buffer.concat([dirRaw, Buffer.from(sep), entry.name]);
      const relativePath = dirRelative ? `${dirRelative}/${name}` : name;
      const path = displayName(rawPath).name;
      const nonUtf8Name = nonUtf8 || displayName(rawPath).nonUtf8;
      const problem = (reason: WalkProblem['reason'], message: string): WalkProblem => ({ type: 'problem', path, rawPath, relativePath, reason, message, nonUtf8Name });

      let info;
      try {
        info = entry.isSymbolicLink() ? await stat(rawPath) : await lstat(rawPath);
      } catch (error) {
        if (!included(relativePath) || excluded(relativePath)) continue;
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') yield problem('broken-link', 'Symbolic link to a file or folder that does not exist');
        else if (code === 'ELOOP') yield problem('symlink-loop', 'Symbolic link that points back to itself');
        else yield problem('unreadable', `Cannot read: ${errorText(error)}`);
        continue;
      }

      if (info.isDirectory()) {
        if (excluded(relativePath) || excluded(`${relativePath}/`)) continue;
        let real: string;
        try {
          real = await realpath(rawPath);
        } catch (error) {
          yield problem('unreadable', `Cannot resolve the folder: ${errorText(error)}`);
          continue;
        }
        if (entry.isSymbolicLink() && leavesLibrary(real)) {
          if (!included(relativePath) && !included(`${relativePath}/`)) continue;
          yield problem('outside-folder', `Symbolic link to the folder ${real}, outside the library's folders; not followed`);
          continue;
        }
        if (isInside(real, dirReal)) {
          if (!included(relativePath) && !included(`${relativePath}/`)) continue;
          yield problem('symlink-loop', `Symbolic link back to a folder that contains it (${real}); not followed`);
          continue;
        }
        // A second way into a folder already walked (or inside this root): its files are indexed once, under their own paths.
        if (visited.has(real) || (entry.isSymbolicLink() && isInside(rootReal, real))) continue;
        visited.add(real);
        yield* walk(rawPath, relativePath, real);
        continue;
      }
      if (!info.isFile()) continue; // sockets, FIFOs, devices: never opened
      if (!included(relativePath) || excluded(relativePath)) continue;
      if (entry.isSymbolicLink()) {
        let real: string;
        try {
          real = await realpath(rawPath);
        } catch (error) {
          yield problem('unreadable', `Cannot resolve the link: ${errorText(error)}`);
          continue;
        }
        if (leavesLibrary(real)) {
          yield problem('outside-folder', `Symbolic link to ${real}, outside the library's folders; not followed`);
          continue;
        }
      }
      yield { type: 'file', path, rawPath, relativePath, size: info.size, mtimeMs: Math.floor(info.mtimeMs), nonUtf8Name };
    }
  }

  yield* walk(Buffer.from(root), '', rootReal);
}

function isInside(parent: string, child: string): boolean {
  return child === parent || child.startsWith(parent + sep);
}

function errorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  return e.message ?? String(error);
}
