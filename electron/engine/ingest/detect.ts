import { fileTypeFromBuffer } from 'file-type';
import type { DocumentKind } from '../../shared/library.js';
import { looksBinary } from './decode.js';

export type Detection =
  | { supported: true; kind: DocumentKind }
  | { supported: false; reason: 'unsupported' | 'binary' | 'empty'; message: string };

const BY_EXTENSION: Record<string, DocumentKind> = {};
const register = (kind: DocumentKind, extensions: string): void => {
  for (const ext of extensions.split(' ')) BY_EXTENSION[ext] = kind;
};
register('text', 'txt text log rst adoc asciidoc org tex bib ini cfg conf toml yaml yml properties env srt vtt nfo me 1st');
register(
  'code',
  'js mjs cjs jsx ts mts cts tsx py pyi rb go rs java kt kts scala c h cc cpp cxx hpp hh cs swift m mm php pl pm r jl lua sh bash zsh fish ps1 bat cmd sql graphql gql proto json jsonc json5 xml xsd xsl svg css scss sass less vue svelte astro dart ex exs erl hrl hs elm clj cljs lisp el vim gradle cmake mk make dockerfile tf hcl nix zig v',
);
register('markdown', 'md markdown mdx mdown mkd');
register('html', 'html htm xhtml');
register('pdf', 'pdf');
register('docx', 'docx docm');
register('odt', 'odt');
register('rtf', 'rtf');
register('epub', 'epub');
register('pptx', 'pptx');
register('notebook', 'ipynb');
register('csv', 'csv tsv');
register('image', 'png jpg jpeg jpe jfif tif tiff webp bmp dib gif');
register('spreadsheet', 'xlsx xlsm ods');
register('email', 'eml mbox mbx');

/** Names without an extension that are still plain text. */
const TEXT_NAMES = new Set(['readme', 'license', 'licence', 'copying', 'authors', 'changelog', 'makefile', 'dockerfile', 'notice', 'todo']);

/** What the content says, by magic number: only formats that override the extension. */
const BY_MIME: Record<string, DocumentKind> = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/epub+zip': 'epub',
  'application/rtf': 'rtf',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'spreadsheet',
  'application/vnd.oasis.opendocument.spreadsheet': 'spreadsheet',
};

/** Images are read by OCR. Their magic decides only when the name agrees or says nothing (a PNG named .txt stays `binary`). */
const IMAGE_MIMES = new Set(['image/png', 'image/jpeg', 'image/tiff', 'image/webp', 'image/bmp', 'image/gif']);

const OLD_OFFICE: Record<string, string> = {
  doc: 'Word 97-2003 (.doc) files are not supported; save it as .docx',
  ppt: 'PowerPoint 97-2003 (.ppt) files are not supported; save it as .pptx',
  // No maintained reader of the binary BIFF format is published on npm (see docs/formats.md).
  xls: 'Excel 97-2003 (.xls) workbooks are not supported; open it in a spreadsheet program and save it as .xlsx or .ods',
};

export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/**
 * Decides how to read a file from its first bytes and its name. Content wins where it is
 * unambiguous (a PDF named .txt is read as PDF); a text-like name whose bytes are binary is
 * reported as such rather than indexed as garbage.
 */
export async function detectKind(name: string, head: Uint8Array, size: number): Promise<Detection> {
  if (size === 0) return { supported: false, reason: 'empty', message: 'The file is empty (0 bytes)' };
  const extension = extensionOf(name);
  const byName = BY_EXTENSION[extension] ?? (extension === '' && TEXT_NAMES.has(baseName(name).toLowerCase()) ? 'text' : undefined);
  const magic = await fileTypeFromBuffer(head).catch(() => undefined);
  if (magic) {
    const byContent = BY_MIME[magic.mime];
    if (byContent) return { supported: true, kind: byContent };
    if (IMAGE_MIMES.has(magic.mime) && (byName === 'image' || byName === undefined)) return { supported: true, kind: 'image' };
    // Generic zips and XML-ish sniffing must not override a document extension (a .docx is a zip).
    if ((magic.ext === 'zip' || magic.ext === 'xml') && byName) return { supported: true, kind: byName };
    // Password-protected OOXML files are compound files; their loader says `encrypted`.
    if (magic.ext === 'cfb' && (extension === 'docx' || extension === 'pptx' || extension === 'xlsx' || extension === 'xlsm')) return { supported: true, kind: byName! };
    const oldOffice = OLD_OFFICE[extension];
    if (oldOffice) return { supported: false, reason: 'unsupported', message: oldOffice };
    if (byName && !looksBinary(head)) return { supported: true, kind: byName };
    if (byName) return { supported: false, reason: 'binary', message: `Named .${extension} but the content is ${magic.mime}` };
    return { supported: false, reason: 'unsupported', message: `Not a document Quire reads (${magic.mime})` };
  }
  const oldOffice = OLD_OFFICE[extension];
  if (oldOffice) return { supported: false, reason: 'unsupported', message: oldOffice };
  if (byName) {
    if (isTextual(byName) && looksBinary(head)) {
      return { supported: false, reason: 'binary', message: `Named .${extension || baseName(name)} but the content is binary data, not text` };
    }
    return { supported: true, kind: byName };
  }
  if (!looksBinary(head)) return { supported: true, kind: 'text' };
  return { supported: false, reason: 'unsupported', message: extension ? `Unknown binary format (.${extension})` : 'Unknown binary format' };
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

function isTextual(kind: DocumentKind): boolean {
  return kind === 'text' || kind === 'code' || kind === 'markdown' || kind === 'csv' || kind === 'html' || kind === 'notebook' || kind === 'email';
}

export const SNIFF_LENGTH = 4100;
