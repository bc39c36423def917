/** Inline SVG charts for the report: fixed sizes, no script, readable without colour (values are written out). */

export const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#dc2626', '#0891b2', '#4d7c0f', '#be185d'];

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const round = (n: number): string => (Math.round(n * 10) / 10).toString();

export interface BarRow {
  label: string;
  value: number | null;
  color: string;
}

/** Room for the longest mode label at 12px (about 7px a character), so none is cut at the chart's left edge. */
const labelWidth = (rows: readonly { label: string }[]): number => Math.max(150, 16 + 7 * Math.max(0, ...rows.map((r) => r.label.length)));

export function barChart(title: string, rows: readonly BarRow[], options: { max?: number; format: (v: number) => string }): string {
  const labelW = labelWidth(rows);
  const barW = 200;
  const valueW = 70;
  const rowH = 22;
  const width = labelW + barW + valueW;
  const height = rows.length * rowH + 8;
  const max = options.max ?? Math.max(1e-9, ...rows.map((r) => r.value ?? 0));
  const bars = rows
    .map((row, i) => {
      const y = 4 + i * rowH;
      const label = `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end" class="label">${escapeHtml(row.label)}</text>`;
      const track = `<rect x="${labelW}" y="${y + 4}" width="${barW}" height="${rowH - 8}" class="track"/>`;
      if (row.value === null) return `${label}${track}<text x="${labelW + barW + 6}" y="${y + 15}" class="muted">n/a</text>`;
      const w = Math.max(row.value > 0 ? 2 : 0, (Math.min(row.value, max) / max) * barW);
      return (
        `${label}${track}<rect x="${labelW}" y="${y + 4}" width="${round(w)}" height="${rowH - 8}" fill="${row.color}" class="bar"><title>${escapeHtml(`${row.label}: ${options.format(row.value)}`)}</title></rect>` +
        `<text x="${labelW + barW + 6}" y="${y + 15}" class="value">${escapeHtml(options.format(row.value))}</text>`
      );
    })
    .join('');
  return (
    `<figure class="chart"><figcaption>${escapeHtml(title)}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${bars}</svg></figure>`
  );
}

export interface StripRow {
  label: string;
  values: number[];
  median: number | null;
  p95: number | null;
  color: string;
}

/** Every question as a dot on one line per mode, with the median (solid) and p95 (dashed) marked. */
export function stripChart(title: string, rows: readonly StripRow[], format: (v: number) => string): string {
  const labelW = labelWidth(rows);
  const plotW = 460;
  const rowH = 30;
  const axisH = 26;
  const width = labelW + plotW + 20;
  const height = rows.length * rowH + axisH;
  const max = niceMax(Math.max(1, ...rows.flatMap((r) => r.values)));
  const x = (v: number): number => labelW + (Math.min(v, max) / max) * plotW;
  const body = rows
    .map((row, i) => {
      const y = i * rowH + rowH / 2;
      const dots = row.values
        .map((v, j) => `<circle cx="${round(x(v))}" cy="${round(y + ((j % 3) - 1) * 5)}" r="4" fill="${row.color}" class="dot"><title>${escapeHtml(format(v))}</title></circle>`)
        .join('');
      const mark = (v: number | null, cls: string, name: string) =>
        v === null ? '' : `<line x1="${round(x(v))}" x2="${round(x(v))}" y1="${y - 11}" y2="${y + 11}" class="${cls}"><title>${name} ${escapeHtml(format(v))}</title></line>`;
      const empty = row.values.length === 0 ? `<text x="${labelW + 4}" y="${y + 4}" class="muted">no values</text>` : '';
      return (
        `<text x="${labelW - 8}" y="${y + 4}" text-anchor="end" class="label">${escapeHtml(row.label)}</text>` +
        `<line x1="${labelW}" x2="${labelW + plotW}" y1="${y}" y2="${y}" class="grid"/>${dots}${mark(row.median, 'median', 'median')}${mark(row.p95, 'p95', '95th percentile')}${empty}`
      );
    })
    .join('');
  const axisY = rows.length * rowH + 4;
  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => {
      const v = max * f;
      return `<line x1="${round(x(v))}" x2="${round(x(v))}" y1="${axisY - 4}" y2="${axisY}" class="axis"/><text x="${round(x(v))}" y="${axisY + 14}" text-anchor="middle" class="tick">${escapeHtml(format(v))}</text>`;
    })
    .join('');
  return (
    `<figure class="chart wide"><figcaption>${escapeHtml(title)} <span class="legend">dots: one per question, solid line: median, dashed: 95th percentile</span></figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `${body}<line x1="${labelW}" x2="${labelW + plotW}" y1="${axisY - 4}" y2="${axisY - 4}" class="axis"/>${ticks}</svg></figure>`
  );
}

function niceMax(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}
