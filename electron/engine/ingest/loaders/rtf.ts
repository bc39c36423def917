import iconv from 'iconv-lite';
import { ExtractionError, HeadingTrail, TextBuilder, type Loader } from '../extracted.js';
import { joinCells } from './html.js';

/*
 * A small RTF-to-text reader. rtf-parser (the maintained-looking option) prints hidden text,
 * glues table cells together and inlines footnotes mid-sentence, so we read the syntax ourselves:
 * groups carry state, destinations that are not body text are skipped, \'hh bytes are decoded in
 * the current font's code page, \uN characters skip their \ucN fallback characters.
 */

/** Destinations whose text is not body text (tables, metadata, pictures, headers, field codes...). */
const SKIPPED = new Set([
  'fonttbl', 'colortbl', 'stylesheet', 'info', 'pict', 'listtable', 'listoverridetable', 'revtbl', 'rsidtbl', 'filetbl',
  'header', 'headerl', 'headerr', 'headerf', 'footer', 'footerl', 'footerr', 'footerf', 'xe', 'tc', 'txe', 'bkmkstart',
  'bkmkend', 'fldinst', 'datafield', 'objdata', 'objclass', 'nonshppict', 'shpinst', 'sp', 'do', 'annotation', 'atnid',
  'atnauthor', 'atndate', 'atnref', 'themedata', 'colorschememapping', 'latentstyles', 'datastore', 'xmlnstbl',
  'generator', 'pgdsctbl', 'mmathPr', 'template', 'userprops', 'docvar', 'ftnsep', 'ftnsepc', 'ftncn', 'aftnsep',
  'aftnsepc', 'aftncn', 'pn', 'private', 'passwordhash', 'protusertbl', 'blipuid',
  // Fallback text for readers without nested tables; we read the nested cells themselves.
  'nonesttables',
]);

const SYMBOLS: Record<string, string> = {
  emdash: '\u2014', endash: '\u2013', bullet: '\u2022', lquote: '\u2018', rquote: '\u2019', ldblquote: '\u201c',
  rdblquote: '\u201d', emspace: ' ', enspace: ' ', qmspace: ' ', line: '\n', tab: '\t',
};

/** \fcharsetN → code page; 0 and 1 mean the document's \ansicpg. */
const CHARSETS: Record<number, string> = {
  2: 'windows-1252', 77: 'macintosh', 128: 'cp932', 129: 'cp949', 134: 'cp936', 136: 'cp950', 161: 'windows-1253',
  162: 'windows-1254', 163: 'windows-1258', 177: 'windows-1255', 178: 'windows-1256', 186: 'windows-1257',
  204: 'windows-1251', 222: 'windows-874', 238: 'windows-1250', 255: 'cp437',
};

const MAX_DEPTH = 2000;
const CONTROL_WORD = /([a-zA-Z]{1,32})(-?\d{1,10})? ?/y;

interface GroupState {
  skip: boolean;
  hidden: boolean;
  fontTable: boolean;
  note: boolean;
  uc: number;
  font: number | undefined;
  /** Paragraph properties, reset by \pard. */
  inTable: boolean;
  outline: number | undefined;
}

class RtfReader {
  private state: GroupState = { skip: false, hidden: false, fontTable: false, note: false, uc: 1, font: undefined, inTable: false, outline: undefined };
  private readonly stack: GroupState[] = [];
  private codepage = 'windows-1252';
  private readonly fonts = new Map<number, string>();
  private definingFont: number | undefined;
  private pendingBytes: number[] = [];
  private paragraph: string[] = [];
  private noteText: string[] = [];
  private readonly notes: string[] = [];
  private cells: string[] = [];
  private nestedCells: string[] = [];
  private fallback = 0;
  private readonly trail = new HeadingTrail();

  constructor(private readonly builder: TextBuilder) {}

  read(src: string): void {
    if (!/^\s*\{\\rtf/.test(src.slice(0, 64))) throw new ExtractionError('corrupt', 'Not an RTF document (no {\\rtf header)');
    let i = src.indexOf('{');
    while (i < src.length) {
      const c = src[i]!;
      if (c === '{') {
        this.flushBytes();
        this.fallback = 0;
        if (this.stack.length >= MAX_DEPTH) throw new ExtractionError('corrupt', 'The RTF document nests groups too deeply');
        this.stack.push(this.state);
        this.state = { ...this.state };
        i++;
      } else if (c === '}') {
        this.flushBytes();
        this.fallback = 0;
        this.endGroup();
        i++;
        if (this.stack.length === 0) break;
      } else if (c === '\\') {
        i = this.control(src, i + 1);
      } else {
        if (c !== '\r' && c !== '\n') this.character(src.charCodeAt(i));
        i++;
      }
    }
    if (this.stack.length > 0) throw new ExtractionError('corrupt', 'The RTF document ends inside an open group (truncated?)');
    this.endParagraph();
    this.endRow();
  }

  private character(code: number): void {
    if (this.fallback > 0) {
      this.fallback--;
      return;
    }
    if (code >= 0x80) {
      if (!this.state.skip && !this.state.hidden) this.pendingBytes.push(code);
    } else {
      this.emit(String.fromCharCode(code));
    }
  }

  /** Reads one control word or symbol starting after its backslash; returns the next position. */
  private control(src: string, i: number): number {
    const c = src[i];
    if (c === "'") {
      const byte = parseInt(src.slice(i + 1, i + 3), 16);
      if (!Number.isNaN(byte)) this.character(byte);
      return i + 3;
    }
    this.flushBytes();
    CONTROL_WORD.lastIndex = i;
    const match = CONTROL_WORD.exec(src);
    if (!match) {
      this.fallback = 0;
      this.symbol(c ?? '');
      return i + 1;
    }
    const word = match[1]!;
    const param = match[2] === undefined ? undefined : Number(match[2]);
    const next = CONTROL_WORD.lastIndex;
    if (word === 'bin') return next + Math.max(0, param ?? 0);
    // Writers put \'hh or plain characters in a \u fallback, never control words: one ends it.
    this.fallback = 0;
    this.word(word, param);
    return next;
  }

  private symbol(c: string): void {
    if (c === '*') this.state.skip = true;
    else if (this.state.skip) return;
    else if (c === '\\' || c === '{' || c === '}') this.emit(c);
    else if (c === '~') this.emit(' ');
    else if (c === '_') this.emit('-');
    else if (c === '\n' || c === '\r') this.par();
  }

  private word(word: string, param: number | undefined): void {
    const s = this.state;
    if (SKIPPED.has(word)) {
      s.skip = true;
      if (word === 'fonttbl') s.fontTable = true;
      return;
    }
    // Word writes a nested row's end inside its \*\nesttableprops destination.
    if (word === 'nestrow') {
      this.add(joinCells(this.nestedCells));
      this.nestedCells = [];
      return;
    }
    if (s.skip) {
      // Inside an ignored destination only the font table matters.
      if (s.fontTable && word === 'f') this.definingFont = param;
      else if (s.fontTable && word === 'fcharset' && this.definingFont !== undefined && param !== undefined && CHARSETS[param]) {
        this.fonts.set(this.definingFont, CHARSETS[param]);
      }
      return;
    }
    const symbol = SYMBOLS[word];
    if (symbol !== undefined) return this.emit(symbol);
    switch (word) {
      case 'par':
      case 'sect':
      case 'page':
        return this.par();
      case 'u':
        if (param !== undefined) this.emit(String.fromCharCode(param < 0 ? param + 0x10000 : param));
        this.fallback = s.uc;
        return;
      case 'uc':
        s.uc = Math.max(0, param ?? 1);
        return;
      case 'f':
        s.font = param;
        return;
      case 'ansicpg':
        this.codepage = codepageName(param);
        return;
      case 'mac':
        this.codepage = 'macintosh';
        return;
      case 'pc':
        this.codepage = 'cp437';
        return;
      case 'pca':
        this.codepage = 'cp850';
        return;
      case 'footnote':
        s.note = true;
        this.noteText = [];
        return;
      case 'v':
        s.hidden = param !== 0;
        return;
      case 'plain':
        s.hidden = false;
        return;
      case 'pard':
        s.inTable = false;
        s.outline = undefined;
        return;
      case 'intbl':
        s.inTable = true;
        return;
      case 'outlinelevel':
        s.outline = param !== undefined && param >= 0 && param < 9 ? param : undefined;
        return;
      case 'cell':
        this.cells.push(this.takeParagraph());
        return;
      case 'nestcell':
        this.nestedCells.push(this.takeParagraph());
        return;
      case 'row':
        return this.endRow();
    }
  }

  private emit(text: string): void {
    if (this.state.skip || this.state.hidden) return;
    this.flushBytes();
    (this.state.note ? this.noteText : this.paragraph).push(text);
  }

  private flushBytes(): void {
    if (this.pendingBytes.length === 0) return;
    const font = this.state.font === undefined ? undefined : this.fonts.get(this.state.font);
    const text = iconv.decode(Buffer.from(this.pendingBytes), font ?? this.codepage);
    this.pendingBytes = [];
    (this.state.note ? this.noteText : this.paragraph).push(text);
  }

  private par(): void {
    if (this.state.note) this.noteText.push('\n');
    else if (this.state.inTable) this.paragraph.push(' ');
    else this.endParagraph();
  }

  private endGroup(): void {
    const closing = this.state;
    this.state = this.stack.pop() ?? closing;
    if (closing.note && !this.state.note) {
      const note = normalise(this.noteText.join(''));
      if (note) this.notes.push(note);
      this.noteText = [];
    }
  }

  private takeParagraph(): string {
    const text = normalise(this.paragraph.join(''));
    this.paragraph = [];
    return text;
  }

  private endParagraph(): void {
    const text = this.takeParagraph();
    const outline = this.state.outline;
    if (text && outline !== undefined) this.builder.add(text, { headingPath: this.trail.enter(outline + 1, text), heading: true });
    else this.add(text);
  }

  private endRow(): void {
    const rest = this.takeParagraph();
    if (rest) this.cells.push(rest);
    this.add(joinCells(this.cells));
    this.cells = [];
  }

  /** A body block, followed by the footnotes referenced so far. */
  private add(text: string): void {
    this.builder.add(text, { headingPath: this.trail.path() });
    for (const note of this.notes.splice(0)) this.builder.add(note, { headingPath: this.trail.path() });
  }
}

function codepageName(cp: number | undefined): string {
  if (cp === undefined) return 'windows-1252';
  if (cp >= 1250 && cp <= 1258) return `windows-${cp}`;
  if (cp === 10000) return 'macintosh';
  return iconv.encodingExists(`cp${cp}`) ? `cp${cp}` : 'windows-1252';
}

function normalise(text: string): string {
  return text
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
}

export const load: Loader = async ({ bytes, kind }) => {
  const builder = new TextBuilder();
  // RTF is 7-bit text; latin1 maps each byte to one character so raw 8-bit bytes survive for decoding.
  new RtfReader(builder).read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
  const doc = builder.build(kind);
  if (!doc.text) throw new ExtractionError('empty', 'The RTF document has no text');
  return doc;
};
