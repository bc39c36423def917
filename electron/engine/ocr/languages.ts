import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OcrSettings } from '../../shared/library.js';
import { QuireError } from '../errors.js';

export const DEFAULT_OCR_SETTINGS: OcrSettings = { enabled: true, languages: ['eng'] };

export interface OcrLanguage {
  code: string;
  /** The gzipped LSTM model tesseract.js loads. */
  file: string;
}

/**
 * Languages come from the `@tesseract.js-data/<code>` packages installed next to
 * `@tesseract.js-data/eng` (the one Quire ships); adding a language is `npm install` of its package.
 */
export function installedLanguages(): OcrLanguage[] {
  let scope: string;
  try {
    scope = dirname(dirname(createRequire(import.meta.url).resolve('@tesseract.js-data/eng/package.json')));
  } catch {
    return [];
  }
  const found: OcrLanguage[] = [];
  for (const code of readdirSync(scope).sort()) {
    // LSTM-only integer models: what tesseract.js itself picks for the LSTM engine, and the smallest.
    const file = [join(scope, code, '4.0.0_best_int', `${code}.traineddata.gz`), join(scope, code, '4.0.0', `${code}.traineddata.gz`)].find(existsSync);
    if (file) found.push({ code, file });
  }
  return found;
}

export class UnknownOcrLanguageError extends QuireError {
  constructor(missing: string[], installed: string[]) {
    super(
      'unknown-ocr-language',
      `OCR language${missing.length > 1 ? 's' : ''} not installed: ${missing.join(', ')}. Installed: ${installed.join(', ') || 'none'}. ` +
        `Add one with: npm install @tesseract.js-data/${missing[0]}`,
    );
  }
}

export function resolveLanguages(codes: string[]): OcrLanguage[] {
  const installed = installedLanguages();
  const byCode = new Map(installed.map((l) => [l.code, l]));
  const missing = codes.filter((code) => !byCode.has(code));
  if (missing.length > 0) throw new UnknownOcrLanguageError(missing, installed.map((l) => l.code));
  return codes.map((code) => byCode.get(code)!);
}
