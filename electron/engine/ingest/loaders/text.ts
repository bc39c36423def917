import { ExtractionError } from '../extracted.js';
import type { Block, ExtractedDocument, Loader } from '../extracted.js';
import { boundedBlocks, decodeSource, LineIndex } from './text-lines.js';

/** Plain text and source code: the file's own text, one block per paragraph (run of non-blank lines). */
export const load: Loader = async ({ bytes, kind }) => {
  const source = decodeSource(bytes);
  if (source.text.trim() === '') throw new ExtractionError('empty', 'The file holds no text');
  const lines = new LineIndex(source.text);
  const blocks: Block[] = [];
  let first = -1;
  for (let line = 0; line <= lines.count; line++) {
    const blank = line === lines.count || lines.isBlank(line);
    if (!blank && first === -1) first = line;
    if (blank && first !== -1) {
      for (const block of boundedBlocks(lines, first, line - 1, { headingPath: [] })) blocks.push(block);
      first = -1;
    }
  }
  const doc: ExtractedDocument = { kind, text: source.text, blocks, lineAddressable: true };
  if (source.note) doc.note = source.note;
  return doc;
};
