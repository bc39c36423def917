import { ExtractionError, type Loader, type OcrRequest } from '../extracted.js';
import { readImageHeader } from './image-header.js';

/** Beyond this an image is taken for a decompression bomb (20,000 x 20,000 is 400 megapixels). */
export const MAX_IMAGE_PIXELS = 100_000_000;

/**
 * Images hold no text until OCR reads them: the loader only checks the header (size, frames) and
 * asks for every frame to be recognised. Decoding happens in the OCR worker, never here.
 */
export const load: Loader = async ({ bytes, kind, ocr }) => {
  const info = readImageHeader(bytes);
  for (const [i, { width, height }] of info.frames.entries()) {
    if (width * height > MAX_IMAGE_PIXELS) {
      const where = info.frames.length > 1 ? ` (page ${i + 1})` : '';
      throw new ExtractionError(
        'too-large',
        `The image${where} is ${width} x ${height} pixels (${Math.round((width * height) / 1e6)} megapixels), over the ${MAX_IMAGE_PIXELS / 1e6}-megapixel limit; it was not decoded`,
      );
    }
  }
  if (!ocr) throw new ExtractionError('no-text', 'Images are read with OCR, which is off for this library (quire index --ocr turns it on)');
  const requests: OcrRequest[] = info.frames.map((_, i) => (info.frames.length > 1 ? { source: 'image', page: i + 1, frame: i + 1 } : { source: 'image', page: 1 }));
  return { kind, text: '', blocks: [], lineAddressable: false, ocr: requests };
};
