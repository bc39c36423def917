// Shared by the zip-based loaders (docx, odt, epub, pptx); kept apart so none of them loads another's parser.
import JSZip from 'jszip';
import { ExtractionError } from '../extracted.js';

const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const ENCRYPTED_PACKAGE = Buffer.from('EncryptedPackage', 'utf16le');

/**
 * Office files saved with a password are not zips but OLE compound files holding an
 * `EncryptedPackage` stream; any other compound file is a legacy binary format (.doc, .ppt).
 */
export function rejectCompoundFile(bytes: Uint8Array, what: string, legacy: string): void {
  if (!CFB_MAGIC.every((b, i) => bytes[i] === b)) return;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.includes(ENCRYPTED_PACKAGE)) throw new ExtractionError('encrypted', `The ${what} is password-protected`);
  throw new ExtractionError('unsupported', `Not a ${what} but a legacy ${legacy} file`);
}

/** Opens a zip-based document; a damaged or truncated archive is `corrupt` with jszip's reason. */
export async function openZip(bytes: Uint8Array, what: string): Promise<JSZip> {
  try {
    return await JSZip.loadAsync(bytes);
  } catch (error) {
    // jszip appends a help URL to some messages; the reason is enough.
    throw new ExtractionError('corrupt', `The ${what} is not a readable zip archive: ${messageOf(error).replace(/ If it is, see .*$/, '')}`);
  }
}

/** A part of the archive as text, or `corrupt` when it is missing or cannot be inflated. */
export async function readZipText(zip: JSZip, name: string, what: string): Promise<string> {
  const file = zip.file(name);
  if (!file) throw new ExtractionError('corrupt', `The ${what} has no ${name}`);
  try {
    return await file.async('string');
  } catch (error) {
    throw new ExtractionError('corrupt', `The ${what}'s ${name} cannot be read: ${messageOf(error)}`);
  }
}

export function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}

/** Runs a zip loader's body so that any failure inside the archive surfaces as a `corrupt` ExtractionError. */
export async function readingArchive<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ExtractionError) throw error;
    throw new ExtractionError('corrupt', `The ${what} cannot be read: ${messageOf(error)}`);
  }
}
