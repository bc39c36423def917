import { describe, expect, it } from 'vitest';
import { matchPassage } from '../../renderer/src/views/passage/pdfMatch.js';

// Text items as pdf.js gives them for a page: one per line (or run), with empty items between some.
const ITEMS = ['Findings', '', 'On the second page the wombat burrows are counted.', 'Paragraph 1 about findings: the archive keeps', 'notes, drafts and letters.', 'Page 2'];

describe('matchPassage: a passage found among a PDF page text items', () => {
  it('finds the whole passage, ignoring case, spaces, line breaks and punctuation', () => {
    const spans = matchPassage(ITEMS, 'findings\n\nOn the second page the wombat burrows are counted.  Paragraph 1 about findings - the archive keeps notes, drafts and letters');
    expect(spans.map((s) => s.item)).toEqual([0, 2, 3, 4]);
    expect(spans[0]).toEqual({ item: 0, start: 0, end: 8 });
    // The last word ends mid-item, before the full stop.
    expect(spans[3]).toEqual({ item: 4, start: 0, end: ITEMS[4]!.indexOf('.') });
  });

  it('marks part of an item when the passage starts mid-line', () => {
    const [span] = matchPassage(ITEMS, 'the wombat burrows');
    expect(span).toEqual({ item: 2, start: ITEMS[2]!.indexOf('wombat') - 4, end: ITEMS[2]!.indexOf(' are') });
  });

  it('a passage that runs on to the next page matches to the end of this one; one begun on the previous page from its start', () => {
    const onward = matchPassage(ITEMS, `The archive keeps notes, drafts and letters. Page 2 ${'and much more on the next page '.repeat(3)}`);
    expect(onward.map((s) => s.item)).toEqual([3, 4, 5]);
    const begun = matchPassage(ITEMS, `${'text from the previous page '.repeat(3)} Findings On the second page the wombat burrows are counted.`);
    expect(begun.map((s) => s.item)).toEqual([0, 2]);
  });

  it('finds nothing for words not on the page', () => {
    expect(matchPassage(ITEMS, 'The third page lists the ocelot sightings.')).toEqual([]);
    expect(matchPassage(ITEMS, '...')).toEqual([]);
  });
});
