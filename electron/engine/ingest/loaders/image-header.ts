import { crc32 } from 'node:zlib';
import { ExtractionError } from '../extracted.js';

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp' | 'tiff';

export interface ImageInfo {
  format: ImageFormat;
  /** Every frame's size; one entry except for multi-page TIFF (GIF: only the first frame is read). */
  frames: { width: number; height: number }[];
}

/** TIFFs with more pages than this are cut off: a fax archive, not a document. */
const MAX_TIFF_FRAMES = 1000;

/**
 * Reads an image's format and dimensions from its header alone, so that a decompression bomb is
 * refused before a single pixel is decoded. Anything that does not parse is `corrupt`.
 */
export function readImageHeader(bytes: Uint8Array): ImageInfo {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) return png(b);
    if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpeg(b);
    if (b.length >= 10 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6))) return single('gif', b.readUInt16LE(6), b.readUInt16LE(8));
    if (b.length >= 26 && b.toString('latin1', 0, 2) === 'BM') return bmp(b);
    if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return webp(b);
    const order = b.toString('latin1', 0, 4);
    if (order === 'II*\0' || order === 'MM\0*') return tiff(b);
  } catch (error) {
    if (error instanceof ExtractionError) throw error;
    throw corrupt(`the header cannot be read (${(error as Error).message})`);
  }
  throw new ExtractionError('unsupported', 'Not an image format Quire reads (PNG, JPEG, TIFF, WebP, BMP, GIF)');
}

function corrupt(why: string): ExtractionError {
  return new ExtractionError('corrupt', `The image is damaged: ${why}`);
}

function single(format: ImageFormat, width: number, height: number): ImageInfo {
  if (width <= 0 || height <= 0) throw corrupt(`it claims ${width} x ${height} pixels`);
  return { format, frames: [{ width, height }] };
}

function png(b: Buffer): ImageInfo {
  if (b.length < 33 || b.toString('latin1', 12, 16) !== 'IHDR') throw corrupt('the PNG has no IHDR chunk');
  if (crc32(b.subarray(12, 29)) !== b.readUInt32BE(29)) throw corrupt('the PNG header fails its checksum');
  return single('png', b.readUInt32BE(16), b.readUInt32BE(20));
}

function jpeg(b: Buffer): ImageInfo {
  let at = 2;
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) throw corrupt('a JPEG segment does not start with a marker');
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    const length = b.readUInt16BE(at + 2);
    // Start-of-frame markers carry the size; C4 (Huffman tables), C8 and CC (arithmetic coding) do not.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > b.length) break;
      return single('jpeg', b.readUInt16BE(at + 7), b.readUInt16BE(at + 5));
    }
    if (marker === 0xda || marker === 0xd9 || length < 2) break;
    at += 2 + length;
  }
  throw corrupt('the JPEG has no frame header');
}

function bmp(b: Buffer): ImageInfo {
  const dib = b.readUInt32LE(14);
  if (dib === 12) return single('bmp', b.readUInt16LE(18), b.readUInt16LE(20));
  if (dib < 40) throw corrupt('unknown BMP header');
  return single('bmp', b.readInt32LE(18), Math.abs(b.readInt32LE(22)));
}

function webp(b: Buffer): ImageInfo {
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8X') return single('webp', b.readUIntLE(24, 3) + 1, b.readUIntLE(27, 3) + 1);
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) throw corrupt('bad lossless WebP signature');
    const bits = b.readUInt32LE(21);
    return single('webp', (bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8 ') {
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) throw corrupt('bad WebP frame start code');
    return single('webp', b.readUInt16LE(26) & 0x3fff, b.readUInt16LE(28) & 0x3fff);
  }
  throw corrupt(`unknown WebP chunk ${JSON.stringify(chunk)}`);
}

/** Walks the TIFF's chain of image directories (refusing loops) for each page's width and height. */
function tiff(b: Buffer): ImageInfo {
  const little = b[0] === 0x49;
  const u16 = (at: number): number => (little ? b.readUInt16LE(at) : b.readUInt16BE(at));
  const u32 = (at: number): number => (little ? b.readUInt32LE(at) : b.readUInt32BE(at));
  const frames: { width: number; height: number }[] = [];
  const seen = new Set<number>();
  let offset = u32(4);
  while (offset !== 0 && frames.length < MAX_TIFF_FRAMES) {
    if (seen.has(offset)) throw corrupt('the TIFF directory chain loops');
    seen.add(offset);
    if (offset + 2 > b.length) throw corrupt('a TIFF directory lies past the end of the file');
    const count = u16(offset);
    if (offset + 2 + count * 12 + 4 > b.length) throw corrupt('a TIFF directory is cut off');
    let width = 0;
    let height = 0;
    for (let i = 0; i < count; i++) {
      const entry = offset + 2 + i * 12;
      const tag = u16(entry);
      if (tag !== 256 && tag !== 257) continue;
      const value = u16(entry + 2) === 3 ? u16(entry + 8) : u32(entry + 8);
      if (tag === 256) width = value;
      else height = value;
    }
    if (width <= 0 || height <= 0) throw corrupt(`TIFF page ${frames.length + 1} has no size`);
    frames.push({ width, height });
    offset = u32(offset + 2 + count * 12);
  }
  if (frames.length === 0) throw corrupt('the TIFF has no pages');
  return { format: 'tiff', frames };
}
