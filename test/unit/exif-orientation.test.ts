import { describe, expect, it } from 'vitest';
import { jpegExifOrientation, jpegForTesseract } from '../../electron/engine/ocr/exif-orientation.js';
import { encodeImage, withExifOrientation } from '../../scripts/fixtures/scans.js';

const scan = { width: 8, height: 4, rgba: new Uint8ClampedArray(8 * 4 * 4).fill(255) };
const plain = encodeImage(scan, 'jpeg');

describe('EXIF orientation of phone photos', () => {
  it('reads the orientation in either byte order, and none from a JPEG without EXIF', () => {
    expect(jpegExifOrientation(withExifOrientation(plain, 6, 'II'))).toBe(6);
    expect(jpegExifOrientation(withExifOrientation(plain, 8, 'MM'))).toBe(8);
    expect(jpegExifOrientation(plain)).toBeNull();
  });

  it('never throws on a damaged or truncated file', () => {
    const tagged = withExifOrientation(plain, 6, 'II');
    for (let length = 0; length < 60; length++) expect(() => jpegExifOrientation(tagged.subarray(0, length))).not.toThrow();
    expect(jpegExifOrientation(tagged.subarray(0, 30))).toBeNull();
    expect(jpegExifOrientation(Buffer.from('not a jpeg at all'))).toBeNull();
  });

  it('hands tesseract a big-endian tag only where it would miss the orientation', () => {
    const little = withExifOrientation(plain, 6, 'II');
    const hinted = jpegForTesseract(little);
    expect(hinted.length).toBeGreaterThan(little.length);
    expect(Array.from(hinted.subarray(0, 500)).join(' ')).toMatch(/1 18 0 3 0 0 0 1 0 6/);
    // The rest of the file is untouched.
    expect(hinted.subarray(hinted.length - (little.length - 2)).equals(little.subarray(2))).toBe(true);
    const big = withExifOrientation(plain, 8, 'MM');
    expect(jpegForTesseract(big).equals(big)).toBe(true);
    expect(jpegForTesseract(plain).equals(plain)).toBe(true);
    expect(jpegForTesseract(withExifOrientation(plain, 1, 'II')).length).toBe(withExifOrientation(plain, 1, 'II').length);
  });
});
