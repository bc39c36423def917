export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** "about 3 min", "12 s": a time left that a person reads at a glance. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 1) return 'under a second';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = seconds / 60;
  if (minutes < 60) return `${Math.round(minutes)} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${Math.round(minutes - hours * 60)} min`;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatCount(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

export function formatParameters(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B params`;
  if (n >= 1e6) return `${Math.round(n / 1e6)}M params`;
  if (n >= 1e3) return `${Math.round(n / 1e3)}K params`;
  return `${n} params`;
}

/** "page 3 · lines 10–24 · Intro › Setup" */
export function formatLocation(where: { page: number | null; lines: [number, number] | null; headingPath?: string[] }): string {
  const parts: string[] = [];
  if (where.page !== null) parts.push(`page ${where.page}`);
  if (where.lines) parts.push(where.lines[0] === where.lines[1] ? `line ${where.lines[0]}` : `lines ${where.lines[0]}–${where.lines[1]}`);
  if (where.headingPath && where.headingPath.length) parts.push(where.headingPath.join(' › '));
  return parts.join(' · ');
}

/** Splits "*.md, *.txt" or one pattern per line into a list; empty input gives undefined. */
export function parsePatterns(text: string): string[] | undefined {
  const list = text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
  return list.length ? list : undefined;
}

export function basename(path: string): string {
  const parts = path.replace(/[\\/]+$/, '').split(/[\\/]/);
  return parts.at(-1) ?? path;
}
