/** The evaluation's modes and metrics in words, as the Evaluate view shows them. */
export const MODES = ['search-only', 'rag-base', 'adapter-only', 'rag-adapter', 'router'] as const;
export type Mode = (typeof MODES)[number];

export const MODE_LABELS: Record<Mode, string> = {
  'search-only': 'Search only',
  'rag-base': 'Your documents + model',
  'adapter-only': 'Adapter alone, no documents',
  'rag-adapter': 'Your documents + adapter',
  router: "Router's choice",
};

export function modeLabel(mode: string): string {
  if (mode in MODE_LABELS) return MODE_LABELS[mode as Mode];
  if (mode.startsWith('profile:')) return `Profile ${mode.slice('profile:'.length)}`;
  return mode;
}

const METRICS: Record<string, string> = {
  citationPrecision: 'Citation precision',
  citationRecall: 'Citation recall',
  citationSupport: 'Cited passages that contain the answer',
  answerF1: 'Answer token F1',
  exactMatch: 'Exact match',
  semanticSimilarity: 'Semantic similarity',
  abstention: 'Declines unanswerable questions',
  falseAbstention: 'Wrongly declines answerable questions',
};

export function metricLabel(name: string): string {
  if (METRICS[name]) return METRICS[name];
  const at = /^(hit|recall|mrr)@(\d+)$/.exec(name);
  if (at) {
    if (at[1] === 'hit') return `Found an expected source in the top ${at[2]}`;
    if (at[1] === 'recall') return `Expected sources found in the top ${at[2]}`;
    return `Rank of the first expected source (MRR, top ${at[2]})`;
  }
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function share(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${Math.round(value * 100)}%`;
}
