import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir } from '../host/private-files.js';

/** `<dataDir>/api-key`: the key local tools send as `Authorization: Bearer <key>`. */
export function apiKeyFile(dataDir: string): string {
  return join(dataDir, 'api-key');
}

const newKey = (): string => randomBytes(32).toString('base64url');

/** The API key, created (mode 0600) on first use. */
export function readOrCreateApiKey(dataDir: string): string {
  const file = apiKeyFile(dataDir);
  try {
    const key = readFileSync(file, 'utf8').trim();
    if (key) return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  makePrivateDir(dataDir);
  try {
    // 'wx': when two processes race to create it, the second reads the first one's key.
    writeFileSync(file, `${newKey()}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const key = readFileSync(file, 'utf8').trim();
    if (key) return key;
    return rotateApiKey(dataDir);
  }
  return readFileSync(file, 'utf8').trim();
}

/** Replaces the key; the old one stops working at once (servers read the file on every request). */
export function rotateApiKey(dataDir: string): string {
  const file = apiKeyFile(dataDir);
  makePrivateDir(dataDir);
  const key = newKey();
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${key}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
  return key;
}

/** Compares in constant time, so the key cannot be guessed a byte at a time from response timings. */
export function matchesApiKey(given: string, key: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}
