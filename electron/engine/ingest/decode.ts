import chardet from 'chardet';
import iconv from 'iconv-lite';
import { ExtractionError } from './extracted.js';

export interface DecodedText {
  text: string;
  /** The encoding the bytes were read as ('utf-8', 'utf-16le', 'windows-1252', ...). */
  encoding: string;
  /** True when the bytes were not UTF-8 (or UTF-8 with BOM) and were converted. */
  transcoded: boolean;
}

const SNIFF_BYTES = 8192;

/** Binary content: NUL bytes or many control characters early in a file that is not UTF-16. */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, SNIFF_BYTES);
  if (n === 0) return false;
  if (hasUtf16Bom(bytes)) return false;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return true;
    if (b < 7 || (b > 13 && b < 32 && b !== 27)) control++;
  }
  return control / n > 0.1;
}

function hasUtf16Bom(bytes: Uint8Array): boolean {
  return (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Decodes text of unknown encoding: UTF-8 (with or without BOM) as is, UTF-16 by BOM, anything
 * else by statistical detection. Throws `binary` when the content is not text at all.
 */
export function decodeText(bytes: Uint8Array): DecodedText {
  if (hasUtf16Bom(bytes)) {
    const encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    return { text: iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), encoding), encoding, transcoded: true };
  }
  if (looksBinary(bytes)) throw new ExtractionError('binary', 'The file holds binary data, not text');
  try {
    return { text: strictUtf8.decode(bytes), encoding: 'utf-8', transcoded: false };
  } catch {
    const detected = guessEncoding(bytes.subarray(0, 65536));
    const encoding = iconv.encodingExists(detected) && !/^utf-8$/i.test(detected) ? detected : 'windows-1252';
    return { text: iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), encoding), encoding: encoding.toLowerCase(), transcoded: true };
  }
}

/**
 * chardet's best guess, except that Western European single-byte text is often scored a little
 * higher as Central European (ISO-8859-2 turns "prêt" into "pręt"): when windows-1252 / ISO-8859-1
 * is a close second, it is the likelier reading for a personal document folder.
 */
function guessEncoding(sample: Uint8Array): string {
  const candidates = chardet.analyse(sample);
  const best = candidates[0];
  if (!best) return 'windows-1252';
  const western = candidates.find((c) => /^(windows-1252|iso-8859-1)$/i.test(c.name));
  if (/^iso-8859-2$|^windows-1250$/i.test(best.name) && western && western.confidence >= best.confidence - 15) return 'windows-1252';
  return best.name;
}
