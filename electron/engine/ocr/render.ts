import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GifReader } from 'omggif';
import { getDocument, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import UTIF from 'utif';

/** An 8-bit grayscale picture: what tesseract reads best, and a quarter of RGBA's memory. */
export interface GrayImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

/** Pages are rendered at this resolution: enough for 9-point text, a third of 300 dpi's pixels. */
const RENDER_DPI = 200;
/** ...and never to more pixels than this (a poster-sized page would otherwise take gigabytes). */
const MAX_RENDER_PIXELS = 24_000_000;
/** Decoded images bigger than this are shrunk before recognition. */
const MAX_OCR_PIXELS = 40_000_000;

const PDFJS_DIR = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

export function openPdf(bytes: Uint8Array): Promise<PDFDocumentProxy> {
  return getDocument({
    data: new Uint8Array(bytes), isEvalSupported: false, useSystemFonts: false, verbosity: 0,
    cMapUrl: join(PDFJS_DIR, 'cmaps') + '/', cMapPacked: true,
    // Text in the 14 standard fonts is drawn with pdfjs's bundled fonts, whatever the system has.
    standardFontDataUrl: join(PDFJS_DIR, 'standard_fonts') + '/',
  }).promise;
}

/**
 * Renders one page through the document's own canvas factory: pdfjs loads its copy of
 * @napi-rs/canvas, and a second copy in the same process was seen to crash Node.
 */
export async function renderPdfPage(pdf: PDFDocumentProxy, number: number): Promise<GrayImage> {
  const page = await pdf.getPage(number);
  try {
    const base = page.getViewport({ scale: 1 });
    const scale = Math.min(RENDER_DPI / 72, Math.sqrt(MAX_RENDER_PIXELS / Math.max(1, base.width * base.height)));
    const viewport = page.getViewport({ scale });
    const width = Math.max(1, Math.floor(viewport.width));
    const height = Math.max(1, Math.floor(viewport.height));
    const factory = pdf.canvasFactory as { create(w: number, h: number): CanvasAndContext; destroy(c: CanvasAndContext): void };
    const target = factory.create(width, height);
    try {
      target.context.fillStyle = '#ffffff';
      target.context.fillRect(0, 0, width, height);
      const params = { canvas: target.canvas, canvasContext: target.context, viewport, background: '#ffffff' } as unknown as Parameters<typeof page.render>[0];
      await page.render(params).promise;
      const rgba = target.context.getImageData(0, 0, width, height).data;
      return { width, height, pixels: toGray(rgba, width * height) };
    } finally {
      factory.destroy(target);
    }
  } finally {
    page.cleanup();
  }
}

interface CanvasAndContext {
  canvas: unknown;
  context: { fillStyle: string; fillRect(x: number, y: number, w: number, h: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

/** A GIF's first frame, decoded in JavaScript (native image decoders crash on some damaged files). */
export function decodeGif(bytes: Uint8Array): GrayImage {
  const reader = new GifReader(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const rgba = new Uint8Array(reader.width * reader.height * 4).fill(255);
  reader.decodeAndBlitFrameRGBA(0, rgba);
  return shrink({ width: reader.width, height: reader.height, pixels: toGray(rgba, reader.width * reader.height) });
}

/** One page (1-based) of a TIFF, in JavaScript: baseline, LZW, Deflate, PackBits, CCITT G3/G4 and JPEG. */
export function decodeTiffFrame(bytes: Uint8Array, frame: number): GrayImage {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const pages = UTIF.decode(buffer).filter((ifd) => ifd['t256'] !== undefined);
  const ifd = pages[frame - 1];
  if (!ifd) throw new Error(`the TIFF has no page ${frame}`);
  // The third argument (all pages) lets a page reuse tables stored in another one.
  (UTIF.decodeImage as (data: ArrayBuffer, ifd: UTIF.IFD, ifds: UTIF.IFD[]) => void)(buffer, ifd, pages);
  if (!ifd.width || !ifd.height || !ifd.data) throw new Error(`TIFF page ${frame} could not be decoded`);
  const rgba = UTIF.toRGBA8(ifd);
  return shrink({ width: ifd.width, height: ifd.height, pixels: toGray(rgba, ifd.width * ifd.height) });
}

function toGray(rgba: ArrayLike<number>, count: number): Uint8Array {
  const gray = new Uint8Array(count);
  for (let i = 0, j = 0; j < count; i += 4, j++) {
    const alpha = rgba[i + 3]!;
    // Transparent pixels count as white paper, not black.
    const luma = (rgba[i]! * 77 + rgba[i + 1]! * 150 + rgba[i + 2]! * 29) >> 8;
    gray[j] = alpha === 255 ? luma : (luma * alpha + 255 * (255 - alpha)) / 255;
  }
  return gray;
}

/** Averages blocks of pixels so an oversized image fits the recognition budget. */
function shrink(image: GrayImage): GrayImage {
  const factor = Math.ceil(Math.sqrt((image.width * image.height) / MAX_OCR_PIXELS));
  if (factor <= 1) return image;
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy++) for (let dx = 0; dx < factor; dx++) sum += image.pixels[(y * factor + dy) * image.width + x * factor + dx]!;
      pixels[y * width + x] = sum / (factor * factor);
    }
  }
  return { width, height, pixels };
}

/** Binary PGM: the simplest format tesseract's image reader takes, with no encoding cost. */
export function toPgm(image: GrayImage): Buffer {
  return Buffer.concat([Buffer.from(`P5\n${image.width} ${image.height}\n255\n`, 'latin1'), Buffer.from(image.pixels.buffer, image.pixels.byteOffset, image.pixels.byteLength)]);
}
