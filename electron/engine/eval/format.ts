export function formatMs(ms: number | null): string {
  if (ms === null) return '-';
  if (ms === 0) return '0 ms';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** A 0..1 metric as a percentage with one decimal when it is small. */
export function formatShare(value: number | null): string {
  if (value === null) return '-';
  const pct = value * 100;
  return `${pct < 10 && pct !== 0 ? pct.toFixed(1) : Math.round(pct)}%`;
}

export function formatNumber(value: number | null, digits = 2): string {
  return value === null ? '-' : value.toFixed(digits);
}

/** Ratios show as percentages; similarity is a cosine (it can be negative), so it shows as a number. */
export function formatMetric(name: string, value: number | null): string {
  return name === 'semanticSimilarity' ? formatNumber(value) : formatShare(value);
}
