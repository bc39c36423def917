/**
 * Phone photos are stored as the sensor saw them, with an EXIF tag saying how to turn them
 * upright. tesseract.js applies that tag only when it finds it, big-endian, in the first 500
 * bytes (see its `setImage`); many phones write little-endian EXIF, which it then reads sideways.
 * For those, the copy handed to tesseract gets the same tag, big-endian, in a JPEG comment
 * segment right after the start marker: decoders skip comments, and tesseract rotates as for any
 * tagged photo. The user's file is never changed.
 */

/** The JPEG's EXIF orientation (1-8), or null when it has none or it cannot be read. */
export function jpegExifOrientation(bytes: Uint8Array): number | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    // Start of scan or end of image: EXIF would have come before.
    if (marker === 0xda || marker === 0xd9) return null;
    const length = view.getUint16(at + 2);
    if (length < 2) return null;
    const body = at + 4;
    if (marker === 0xe1 && isExifHeader(bytes, body)) return tiffOrientation(view, body + 6, Math.min(bytes.length, at + 2 + length));
    at += 2 + length;
  }
  return null;
}

function isExifHeader(bytes: Uint8Array, at: number): boolean {
  return at + 6 <= bytes.length && String.fromCharCode(...bytes.subarray(at, at + 4)) === 'Exif' && bytes[at + 4] === 0 && bytes[at + 5] === 0;
}

/** Tag 0x0112 of IFD0 in the TIFF structure at `start`, within `end`. */
function tiffOrientation(view: DataView, start: number, end: number): number | null {
  if (start + 8 > end) return null;
  const order = view.getUint16(start);
  if (order !== 0x4949 && order !== 0x4d4d) return null;
  const little = order === 0x4949;
  const ifd = start + view.getUint32(start + 4, little);
  if (ifd + 2 > end) return null;
  const entries = view.getUint16(ifd, little);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 12 > end) return null;
    if (view.getUint16(entry, little) !== 0x0112) continue;
    // A SHORT, stored in the first two bytes of the value field.
    const value = view.getUint16(entry + 8, little);
    return value >= 1 && value <= 8 ? value : null;
  }
  return null;
}

/** Whether tesseract.js finds an orientation itself: its own test, on its own 500 bytes. */
function tesseractFindsOrientation(bytes: Uint8Array): boolean {
  return /1 18 0 3 0 0 0 1 0 (\d)/.test(Array.from(bytes.subarray(0, 500)).join(' '));
}

/** The JPEG as tesseract should get it: turned upright by its EXIF orientation, whichever byte order. */
export function jpegForTesseract(bytes: Uint8Array): Buffer {
  const original = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const orientation = jpegExifOrientation(bytes);
  if (orientation === null || orientation === 1 || tesseractFindsOrientation(bytes)) return original;
  const tag = [0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, orientation, 0x00, 0x00];
  const comment = Buffer.from([0xff, 0xfe, 0x00, tag.length + 2, ...tag]);
  return Buffer.concat([original.subarray(0, 2), comment, original.subarray(2)]);
}
