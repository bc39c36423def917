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

/**
 * Decompression caps for zip-based documents (DOCX, XLSX, ODT, ODS, EPUB, PPTX). A zip bomb of a few kilobytes can
 * inflate to gigabytes, and every reader of these formats holds the inflated parts (and then a tree of them) in memory:
 * over a cap the file is `too-large` before any reader sees it. Real documents stay far below: the XML of a
 * 10,000-page Word file is about 60 MB.
 */
export const ZIP_LIMITS = { entryBytes: 128 * 1024 * 1024, totalBytes: 512 * 1024 * 1024, entries: 20_000 };

/**
 * Checks a zip-based document against ZIP_LIMITS: first what its directory declares, then by inflating every part as a
 * stream that only counts (a bomb can declare small sizes), so nothing big is ever held. Damage is left to the readers.
 */
export async function checkDecompressedSize(bytes: Uint8Array, what: string, limits = ZIP_LIMITS): Promise<void> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch {
    return; // not a readable zip: the format's reader says so with its own reason
  }
  await checkZip(zip, what, limits);
}

async function checkZip(zip: JSZip, what: string, limits = ZIP_LIMITS): Promise<void> {
  const files = Object.values(zip.files).filter((f) => !f.dir);
  const tooLarge = (detail: string): ExtractionError =>
    new ExtractionError('too-large', `The ${what} ${detail}, over the ${formatMb(limits.entryBytes)} per part / ${formatMb(limits.totalBytes)} in all that Quire inflates (a zip bomb?)`);
  if (files.length > limits.entries) throw new ExtractionError('too-large', `The ${what} holds ${files.length} parts, over the ${limits.entries} Quire reads (a zip bomb?)`);
  let declared = 0;
  for (const file of files) {
    const size = (file as unknown as { _data?: { uncompressedSize?: number } })._data?.uncompressedSize ?? 0;
    if (size > limits.entryBytes) throw tooLarge(`part ${file.name} inflates to ${formatMb(size)}`);
    declared += size;
    if (declared > limits.totalBytes) throw tooLarge(`inflates to more than ${formatMb(declared)}`);
  }
  let total = 0;
  for (const file of files) {
    let entry = 0;
    await new Promise<void>((done, fail) => {
      const stream = (file as unknown as { internalStream(type: 'uint8array'): InflateStream }).internalStream('uint8array');
      stream
        .on('data', (chunk: Uint8Array) => {
          entry += chunk.length;
          total += chunk.length;
          if (entry > limits.entryBytes || total > limits.totalBytes) {
            stream.pause();
            fail(entry > limits.entryBytes ? tooLarge(`part ${file.name} inflates to more than ${formatMb(entry)}`) : tooLarge(`inflates to more than ${formatMb(total)}`));
          }
        })
        .on('error', () => done()) // damage: the reader reports it
        .on('end', () => done())
        .resume();
    });
  }
}

/** jszip's own chunked stream (what `nodeStream` wraps), without the Node stream around it. */
interface InflateStream {
  on(event: 'data', listener: (chunk: Uint8Array) => void): InflateStream;
  on(event: 'error', listener: (error: Error) => void): InflateStream;
  on(event: 'end', listener: () => void): InflateStream;
  pause(): InflateStream;
  resume(): InflateStream;
}

function formatMb(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

/** Opens a zip-based document; a damaged or truncated archive is `corrupt` with jszip's reason. */
export async function openZip(bytes: Uint8Array, what: string): Promise<JSZip> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch (error) {
    // jszip appends a help URL to some messages; the reason is enough.
    throw new ExtractionError('corrupt', `The ${what} is not a readable zip archive: ${messageOf(error).replace(/ If it is, see .*$/, '')}`);
  }
  await checkZip(zip, what);
  return zip;
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
