import { statement, type Db } from '../store/db.js';
import { seededRandom } from '../eval/random.js';
import { fold, queryTerms, STOPWORDS } from './query.js';

/**
 * Queries a library makes from itself, with no labels and no language model: a sentence held out
 * of its passage is the query, and that passage without the sentence is the one it should find.
 * Deterministic: the same library gives the same queries.
 */
export interface SelfQuery {
  query: string;
  chunkId: number;
  /** The passage's text with the query sentence taken out (what the query is matched against). */
  heldOut: string;
  /** `tune` chooses weights, threshold and adapter; `held` only measures them. */
  split: 'tune' | 'held';
}

/** A query the library cannot answer: made-up words, or text about a subject the library never mentions. */
export interface Unanswerable {
  query: string;
  kind: 'made-up' | 'off-subject';
  split: 'tune' | 'held';
}

const WORD = /[\p{L}\p{N}]+/gu;

/** Share of the queries used for tuning; the rest are held back. */
const TUNE_SHARE = 0.6;

export function makeSelfQueries(db: Db, options: { max?: number; seed?: number } = {}): SelfQuery[] {
  const max = options.max ?? 500;
  const random = seededRandom(options.seed ?? 0x51f1);
  const ids = statement(db, 'SELECT id FROM chunks').pluck().all() as number[];
  // Deterministic shuffle, then passages are read in that order until enough queries are made.
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  const queries: SelfQuery[] = [];
  const read = statement(db, 'SELECT id, text FROM chunks WHERE id IN (SELECT value FROM json_each(?))');
  for (let start = 0; start < ids.length && queries.length < max; start += 256) {
    const batch = ids.slice(start, start + 256);
    const texts = new Map((read.all(JSON.stringify(batch)) as { id: number; text: string }[]).map((r) => [r.id, r.text]));
    for (const id of batch) {
      if (queries.length >= max) break;
      const made = holdOut(texts.get(id) ?? '', random);
      if (made) queries.push({ ...made, chunkId: id, split: 'tune' });
    }
  }
  assignSplits(queries, random);
  return queries;
}

/** One sentence of the passage as a query, and the passage without it; null when no sentence fits. */
export function holdOut(text: string, random: () => number): { query: string; heldOut: string } | null {
  const sentences = text.split(/(?<=[.!?;])\s+|\n+/).map((s) => s.trim()).filter(Boolean);
  if (sentences.length < 2) return null;
  const candidates = sentences.filter((s) => {
    const words = s.match(WORD) ?? [];
    return words.length >= 4 && words.length <= 40 && contentWords(s) >= 3;
  });
  if (candidates.length === 0) return null;
  const sentence = candidates[Math.floor(random() * candidates.length)]!;
  const heldOut = text.replace(sentence, ' ').replace(/\s+/g, ' ').trim();
  if ((heldOut.match(WORD) ?? []).length < 5 || contentWords(heldOut) < 3) return null;
  const words = sentence.match(/\S+/g) ?? [];
  return { query: words.slice(0, 16).join(' '), heldOut };
}

function contentWords(text: string): number {
  return (fold(text).match(WORD) ?? []).filter((w) => !STOPWORDS.has(w) && !/^\d+$/.test(w)).length;
}

function assignSplits<T extends { split: 'tune' | 'held' }>(items: T[], random: () => number): void {
  const order = items.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const tune = Math.round(items.length * TUNE_SHARE);
  order.forEach((index, rank) => (items[index]!.split = rank < tune ? 'tune' : 'held'));
}

/**
 * Subjects a personal library is unlikely to hold all of. Only those the library's vocabulary
 * barely knows are used, so a library about cooking is never asked cooking as "unanswerable".
 */
const SUBJECTS: string[][] = [
  'telescope galaxy nebula comet asteroid orbit planet astronomer supernova constellation eclipse meteor quasar observatory cosmos'.split(' '),
  'knitting yarn needle stitch crochet wool purl skein pattern cardigan scarf loom weaving thread embroidery'.split(' '),
  'volcano lava magma eruption crater basalt tectonic geyser ash pumice seismic caldera obsidian mantle vent'.split(' '),
  'beekeeping hive honey queen drone pollen nectar swarm apiary wax comb beekeeper propolis larvae colony'.split(' '),
  'chess bishop knight rook pawn checkmate gambit castling endgame opening grandmaster stalemate tournament queen board'.split(' '),
  'opera soprano tenor aria libretto baritone overture orchestra conductor chorus mezzo recital diva stage encore'.split(' '),
  'dinosaur fossil jurassic cretaceous raptor tyrannosaurus paleontologist triceratops extinction sediment skeleton herbivore predator amber excavation'.split(' '),
  'surfing wave surfboard reef swell barrel wetsuit paddle tide beach lineup wipeout longboard shore current'.split(' '),
  'origami crease fold paper crane valley mountain square diagram kirigami model sheet pleat corner tuck'.split(' '),
  'cricket batsman bowler wicket innings umpire stump over boundary fielder pitch crease spinner test match'.split(' '),
  'sourdough starter yeast dough knead flour proof crust oven loaf ferment gluten bake rye levain'.split(' '),
  'glacier iceberg moraine crevasse fjord permafrost tundra arctic polar avalanche snowfield icecap frost thaw floe'.split(' '),
];

const TEMPLATES = ['{} {} {} {}', 'how does the {} affect the {} {}', 'what is the {} of a {} {}', 'why would a {} {} the {} {}', '{} and {} {}'];

/** Made-up words (syllables from a seeded generator, none in the library's vocabulary) and off-subject questions. */
export function makeUnanswerable(db: Db, options: { count?: number; seed?: number } = {}): Unanswerable[] {
  const count = options.count ?? 200;
  const random = seededRandom(options.seed ?? 0xbad5eed);
  const known = (word: string): boolean => {
    const [term] = queryTerms(word);
    return term !== undefined && statement(db, 'SELECT 1 FROM chunks_terms WHERE term = ?').get(term.stem) !== undefined;
  };
  const made: Unanswerable[] = [];
  const half = Math.ceil(count / 2);

  const onsets = ['b', 'br', 'd', 'dr', 'f', 'fl', 'g', 'gl', 'k', 'kr', 'l', 'm', 'n', 'p', 'pl', 'qu', 'r', 's', 'sk', 'st', 't', 'tr', 'v', 'z', 'zh'];
  const vowels = ['a', 'e', 'i', 'o', 'u', 'au', 'ei', 'oo'];
  const codas = ['', '', 'n', 'l', 'rk', 'x', 'nd', 'sh', 't', 'm'];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const madeUpWord = (): string => {
    for (;;) {
      const syllables = 2 + Math.floor(random() * 2);
      let word = '';
      for (let s = 0; s < syllables; s++) word += pick(onsets) + pick(vowels) + (s === syllables - 1 ? pick(codas) : '');
      if (!known(word)) return word;
    }
  };
  for (let i = 0; i < half; i++) {
    const template = pick(['{}', '{} {}', 'what is {}', 'how does the {} work', 'where is the {} {} kept', '{} {} {}']);
    made.push({ query: template.replace(/\{\}/g, () => madeUpWord()), kind: 'made-up', split: 'tune' });
  }

  // Everyday words of the library itself: a real off-subject question often shares one or two.
  const sample = statement(db, 'SELECT text FROM chunks WHERE id IN (SELECT id FROM chunks ORDER BY id LIMIT 2000) LIMIT 200').pluck().all() as string[];
  const everyday = [...new Set(sample.flatMap((t) => fold(t).match(/\p{L}{4,}/gu) ?? []).filter((w) => !STOPWORDS.has(w)))].sort();
  const foreign = SUBJECTS.filter((words) => words.filter(known).length <= words.length * 0.2);
  for (let i = 0; i < count - half && foreign.length > 0; i++) {
    const words = foreign[i % foreign.length]!;
    const template = pick(TEMPLATES);
    let slot = 0;
    const shared = i % 2 === 1 && everyday.length > 0 ? pick(everyday) : null;
    made.push({ query: template.replace(/\{\}/g, () => (slot++ === 1 && shared ? shared : pick(words))), kind: 'off-subject', split: 'tune' });
  }
  assignSplits(made, random);
  return made;
}
