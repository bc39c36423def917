import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { join, resolve } from 'node:path';

/**
 * Quire's data holds the text of every indexed document, so it is private to the user whatever their umask: the data
 * folder and the folders in it 0700, every file Quire writes there 0600. On Windows modes mean little; the per-user
 * data folder's ACL is what protects it.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** New files and folders of this process get no group or other permissions (SQLite's WAL and SHM files, reports...). */
export function usePrivateUmask(): void {
  if (isMainThread && process.platform !== 'win32') process.umask(0o077);
}

/** Creates a folder (and missing parents) private, and makes an existing one private. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tryChmod(dir, PRIVATE_DIR_MODE);
}

/** Creates `file` empty and private if it does not exist; makes it private if it does. */
export function makePrivateFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  tryChmod(file, PRIVATE_FILE_MODE);
}

/** Makes a file private if it exists (a SQLite WAL or SHM file, say). */
export function restrictFile(file: string): void {
  tryChmod(file, PRIVATE_FILE_MODE);
}

const fixed = new Set<string>();

/**
 * Fixes the modes of an install made before Quire kept its data private (once per process and folder): the data folder,
 * everything under `libraries/` and `models/`, and the files Quire keeps at the top. Nothing else is touched, in case
 * the data folder was pointed at a folder that holds other things too. Links are not followed.
 */
export function restrictDataDir(dataDir: string): void {
  const root = resolve(dataDir);
  if (fixed.has(root) || process.platform === 'win32') return;
  fixed.add(root);
  if (!isDir(root)) return;
  tryChmod(root, PRIVATE_DIR_MODE);
  for (const entry of safeList(root)) {
    const path = join(root, entry);
    if (entry === 'libraries' || entry === 'models') restrictTree(path, 0);
    else if (QUIRE_FILES.test(entry) && isFile(path)) tryChmod(path, PRIVATE_FILE_MODE);
  }
}

/** The files Quire writes at the top of its data folder (and their temporary siblings). */
const QUIRE_FILES = /^(settings\.json|profiles\.json|api-key)(\..*)?$/;

function restrictTree(path: string, depth: number): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    tryChmod(path, PRIVATE_DIR_MODE);
    if (depth < 8) for (const entry of safeList(path)) restrictTree(join(path, entry), depth + 1);
  } else if (stat.isFile() && (stat.mode & 0o077) !== 0) {
    tryChmod(path, PRIVATE_FILE_MODE);
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function isDir(path: string): boolean {
  try {
    return lstatSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}

function tryChmod(path: string, mode: number): void {
  if (process.platform === 'win32') return;
  try {
    chmodSync(path, mode);
  } catch {
    // Not ours (another user's file in a shared folder) or gone: nothing we can fix.
  }
}
