import { describe, expect, it } from 'vitest';
import { detectKind } from '../../electron/engine/ingest/detect.js';

const text = (s: string): Uint8Array => Buffer.from(s);
const PDF = text('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

describe('type detection by content and name', () => {
  it.each([
    ['notes.txt', text('hello'), 'text'],
    ['main.rs', text('fn main() {}'), 'code'],
    ['README', text('# Project'), 'text'],
    ['guide.md', text('# Guide'), 'markdown'],
    ['data.tsv', text('a\tb'), 'csv'],
    ['page.htm', text('<p>x</p>'), 'html'],
    ['analysis.ipynb', text('{"cells":[]}'), 'notebook'],
    ['paper.pdf', PDF, 'pdf'],
    ['paper.txt', PDF, 'pdf'],
    ['no-extension', PDF, 'pdf'],
    ['unknown.xyz', text('plain words in an unknown extension'), 'text'],
    ['photo.png', PNG, 'image'],
    ['scan-without-extension', PNG, 'image'],
    ['inbox.mbox', text('From ada@example.test Thu Feb  1 09:30:00 2024\nSubject: hi\n\nbody\n'), 'email'],
    ['note.eml', text('From: ada@example.test\nSubject: hi\n\nbody\n'), 'email'],
  ])('%s is read as %s', async (name, head, kind) => {
    expect(await detectKind(name, head, head.length)).toEqual({ supported: true, kind });
  });

  it.each([
    ['photo.txt', PNG, 'binary'],
    ['old.xls', Buffer.from('d0cf11e0a1b11ae1000000000000000000000000000000003e000300feff0900', 'hex'), 'unsupported'],
    ['blob.bin', Buffer.from([0, 1, 2, 3, 0, 0, 7, 8]), 'unsupported'],
    ['data.csv', Buffer.from([0, 1, 2, 3, 0, 0, 7, 8]), 'binary'],
    ['old.doc', Buffer.from('d0cf11e0a1b11ae1000000000000000000000000000000003e000300feff0900', 'hex'), 'unsupported'],
    ['empty.md', new Uint8Array(0), 'empty'],
  ])('%s is not indexed: %s', async (name, head, reason) => {
    const result = await detectKind(name, head, head.length);
    expect(result).toMatchObject({ supported: false, reason });
    expect((result as { message: string }).message.length).toBeGreaterThan(5);
  });
});
