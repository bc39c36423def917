import { barChart, escapeHtml as esc, PALETTE, stripChart } from './charts.js';
import { formatMetric, formatMs, formatNumber, formatShare } from './format.js';
import type { EvalReport, ModeAnswer, ModeSummary, QuestionResult } from './report-types.js';

const METRIC_TITLES: Record<string, string> = {
  citationPrecision: 'Citation precision',
  citationRecall: 'Citation recall',
  citationSupport: 'Cited passages that contain the answer',
  answerF1: 'Answer token F1',
  exactMatch: 'Exact match',
  semanticSimilarity: 'Semantic similarity',
  abstention: 'Declines unanswerable questions',
  falseAbstention: 'Wrongly declines answerable questions (lower is better)',
};

/** A metric's name in words: `citationPrecision` -> "Citation precision", `recall@5` -> "Source recall in the top 5". */
export function titleOf(name: string): string {
  const titled = METRIC_TITLES[name];
  if (titled) return titled;
  const at = /^(hit|recall|mrr)@(\d+)$/.exec(name);
  if (at) {
    const k = at[2]!;
    if (at[1] === 'hit') return `Found an expected source in the top ${k}`;
    if (at[1] === 'recall') return `Expected sources found in the top ${k}`;
    return `Rank of the first expected source (MRR, top ${k})`;
  }
  // An unknown identifier still reads as words: camelCase split and capitalised.
  const words = name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
const clip = (text: string, max = 1200): string => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * A self-contained HTML report: inline CSS and SVG only, no script and no network, so it opens
 * anywhere (and under a CSP that forbids scripts).
 */
export function renderReport(report: EvalReport): string {
  const ran = report.modes.filter((m) => m.skipped === null && m.metrics !== null);
  const color = new Map(report.modes.map((m, i) => [m.mode, PALETTE[i % PALETTE.length]!]));
  const colorOf = (m: ModeSummary): string => color.get(m.mode)!;
  const title = `Quire evaluation: ${report.library}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
<p class="meta">${meta(report)}</p>
</header>
<main>
<section id="summary"><h2>Summary</h2>${summaryTable(report)}</section>
<section id="metrics"><h2>Metrics by mode</h2><div class="charts">${metricCharts(report, ran, colorOf)}</div></section>
<section id="latency"><h2>Latency and memory</h2>${latencyCharts(report, ran, colorOf)}</section>
<section id="questions"><h2>Question by question</h2>${report.questions.map((q) => questionBlock(q, ran)).join('\n')}</section>
<section id="recommendation"><h2>Recommendation</h2><p class="verdict">${esc(report.recommendation.text)}</p>${definitions(report.k)}</section>
</main>
</body>
</html>
`;
}

function meta(r: EvalReport): string {
  const items = [
    ['run', r.runId === null ? 'not saved' : `#${r.runId}`], ['date', readableDate(r.createdAt)], ['questions', `${r.questionCount} from ${r.questionSet}`],
    ['model', r.model ?? 'none'], ['adapters', r.adapters.join(', ') || 'none'], ['embedder', r.embedder ?? 'none'], ['K', String(r.k)],
    ['peak memory', `${r.memory.maxRssMb} MB`],
  ];
  return items.map(([k, v]) => `<span><b>${esc(k!)}</b> ${esc(v!)}</span>`).join(' ');
}

/** `2026-12-07T06:54:22.416Z` -> `2026-12-07 06:54 UTC` (the report is a file: no local time zone to assume). */
function readableDate(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

function summaryTable(r: EvalReport): string {
  // Modes are columns and measures are rows, so the summary fits a page without sideways scrolling
  // however many measures there are; skipped modes are listed under it.
  const ran = r.modes.filter((m) => m.skipped === null && m.metrics !== null);
  const skipped = r.modes.filter((m) => m.skipped !== null || !m.metrics);
  const cls = (m: ModeSummary): string => (r.recommendation.winner === m.mode ? ' class="winner"' : '');
  const head = `<tr><th>Measure</th>${ran
    .map((m) => `<th${cls(m)} title="${esc(m.description)}">${esc(m.label)}${r.recommendation.winner === m.mode ? ' <span class="badge">best</span>' : ''}${m.errors ? ` <span class="muted">(${m.errors} errors)</span>` : ''}</th>`)
    .join('')}</tr>`;
  const row = (title: string, cell: (m: ModeSummary) => string, extra = ''): string => `<tr${extra}><th scope="row">${esc(title)}</th>${ran.map((m) => `<td${cls(m)}>${cell(m)}</td>`).join('')}</tr>`;
  const quality = [
    row('Score (answer quality)', (m) => formatShare(m.score), ' class="score"'),
    ...r.metricNames.map((n) => row(titleOf(n), (m) => formatMetric(n, m.metrics![n] ?? null))),
  ].join('');
  const speed = [
    row('Median time per answer', (m) => formatMs(m.latency?.totalMs.median ?? null)),
    row('95th percentile time per answer', (m) => formatMs(m.latency?.totalMs.p95 ?? null)),
    row('Median time to first token', (m) => formatMs(m.latency?.firstTokenMs.median ?? null)),
    row('Tokens per second (median)', (m) => formatNumber(m.latency?.tokensPerSecond.median ?? null, 1)),
    row('Peak memory', (m) => (m.memory ? `${m.memory.peakRssMb} MB` : '-')),
  ].join('');
  const table = ran.length ? `<table class="summary">${head}${quality}</table><h3 class="subhead">Speed and memory</h3><table class="summary">${head}${speed}</table>` : '<p class="muted">No mode ran.</p>';
  const skippedList = skipped.length ? `<ul class="skipped">${skipped.map((m) => `<li><b>${esc(m.label)}</b> skipped: ${esc(m.skipped ?? '')}</li>`).join('')}</ul>` : '';
  return `${table}${skippedList}`;
}

function metricCharts(r: EvalReport, ran: ModeSummary[], colorOf: (m: ModeSummary) => string): string {
  if (ran.length === 0) return '<p class="muted">No mode ran.</p>';
  const charts = [barChart('Score (answer quality)', ran.map((m) => ({ label: m.label, value: m.score, color: colorOf(m) })), { max: 1, format: (v) => formatShare(v) })];
  for (const name of r.metricNames) {
    if (ran.every((m) => (m.metrics![name] ?? null) === null)) continue;
    charts.push(barChart(titleOf(name), ran.map((m) => ({ label: m.label, value: m.metrics![name] ?? null, color: colorOf(m) })), { max: 1, format: (v) => formatMetric(name, v) }));
  }
  return charts.join('\n');
}

function latencyCharts(r: EvalReport, ran: ModeSummary[], colorOf: (m: ModeSummary) => string): string {
  if (ran.length === 0) return '<p class="muted">No mode ran.</p>';
  const values = (m: ModeSummary, pick: (a: ModeAnswer) => number | null): number[] =>
    r.questions.map((q) => q.answers[m.mode]).flatMap((a) => (a && a.answerMode !== 'error' ? [pick(a)] : [])).filter((v): v is number => v !== null);
  const total = stripChart(
    'Time per answer',
    ran.map((m) => ({ label: m.label, values: values(m, (a) => a.timings.totalMs), median: m.latency?.totalMs.median ?? null, p95: m.latency?.totalMs.p95 ?? null, color: colorOf(m) })),
    formatMs,
  );
  const generating = ran.filter((m) => m.latency?.firstTokenMs.median !== null);
  const first = generating.length
    ? stripChart(
        'Time to first token',
        generating.map((m) => ({ label: m.label, values: values(m, (a) => a.timings.firstTokenMs), median: m.latency!.firstTokenMs.median, p95: m.latency!.firstTokenMs.p95, color: colorOf(m) })),
        formatMs,
      )
    : '';
  const speed = generating.length
    ? barChart('Generation speed (median tokens/s)', generating.map((m) => ({ label: m.label, value: m.latency!.tokensPerSecond.median, color: colorOf(m) })), { format: (v) => v.toFixed(1) })
    : '';
  const memory = barChart('Peak resident memory while the mode ran (MB)', ran.map((m) => ({ label: m.label, value: m.memory?.peakRssMb ?? null, color: colorOf(m) })), { format: (v) => `${v} MB` });
  return `${total}${first}<div class="charts">${speed}${memory}</div>`;
}

function questionBlock(q: QuestionResult, ran: ModeSummary[]): string {
  const expected = q.expected.answerable
    ? `<p><b>Expected:</b> ${q.expected.answer === null ? '<span class="muted">no answer given</span>' : esc(q.expected.answer)}${q.expected.sources.length ? ` <span class="muted">from ${esc(q.expected.sources.join(', '))}</span>` : ''}</p>`
    : '<p><b>Expected:</b> <span class="muted">the library does not contain this; a good answer declines</span></p>';
  const rows = ran
    .map((m) => {
      const a = q.answers[m.mode];
      if (!a) return '';
      const cited = a.cited === null ? retrievedList(a) : a.cited.length === 0 ? '<span class="muted">none</span>' : a.cited.map(citedPassage).join('');
      const text = a.answerMode === 'error' ? `<span class="error">error: ${esc(a.error ?? '')}</span>` : esc(clip(a.answer));
      const flags = [a.metrics.abstained ? 'declined' : '', a.answerMode === 'not-found' ? 'nothing relevant found' : ''].filter(Boolean).join(', ');
      return (
        `<tr><td>${esc(m.label)}${m.mode === 'router' || m.mode.startsWith('profile:') ? `<div class="muted small">${esc(a.profile)}</div>` : ''}</td>` +
        `<td class="answer">${text}${flags ? `<div class="muted small">${esc(flags)}</div>` : ''}</td><td class="cited">${cited}</td>` +
        `<td class="measures"><dl>${measure('Score', formatShare(a.quality))}${measure('Token F1', formatShare(a.metrics.answerF1))}` +
        `${measure('Semantic similarity', formatNumber(a.metrics.semanticSimilarity))}${measure('Expected sources found', formatShare(a.metrics.recall))}${measure('Time', formatMs(a.timings.totalMs))}</dl></td></tr>`
      );
    })
    .join('');
  return (
    `<article class="question"><h3><span class="qid">${esc(q.id)}</span> ${esc(q.question)}</h3>${expected}` +
    `<div class="scroll"><table><tr><th>Mode</th><th>Answer</th><th>Cited passages</th><th>Measures</th></tr>${rows}</table></div></article>`
  );
}

/** One measure of one answer, as a line of the answer's "Measures" cell (four narrow columns instead of eight). */
function measure(title: string, value: string): string {
  return `<div><dt>${esc(title)}</dt><dd>${esc(value)}</dd></div>`;
}

/** Modes that do not cite still show what they retrieved. */
function retrievedList(a: ModeAnswer): string {
  if (!a.retrieved?.length) return '<span class="muted">-</span>';
  const where = a.retrieved.map((p) => `${p.relativePath}${p.page !== null ? ` p.${p.page}` : ''}`);
  return `<span class="muted small">retrieved: ${esc(where.join(', '))}</span>`;
}

function citedPassage(c: NonNullable<ModeAnswer['cited']>[number]): string {
  const where = `${c.relativePath}${c.page !== null ? ` p.${c.page}` : ''}`;
  const marks = [c.fromExpectedSource === true ? 'expected source' : c.fromExpectedSource === false ? 'other source' : '', c.supports === true ? 'contains the answer' : c.supports === false ? 'does not contain the answer' : '']
    .filter(Boolean)
    .join(', ');
  return `<details class="${c.supports === false || c.fromExpectedSource === false ? 'bad' : 'good'}"><summary>[${c.n}] ${esc(where)}${marks ? ` <span class="muted small">${esc(marks)}</span>` : ''}</summary><blockquote>${esc(clip(c.text, 800))}</blockquote></details>`;
}

function definitions(k: number): string {
  return `<details class="definitions"><summary>How the numbers are computed</summary><ul>
<li><b>Found an expected source in the top ${k}</b> (hit@${k}), <b>expected sources found in the top ${k}</b> (recall@${k}) and <b>rank of the first expected source</b> (MRR@${k}, 1 when it comes first, ½ second...): against the expected sources (a file path or bare file name, and a page when given) in the first ${k} passages the mode retrieved; several passages of one file count as finding that file once.</li>
<li><b>Citation precision / recall</b>: distinct cited passages from an expected source / expected sources cited at least once.</li>
<li><b>Cited passages that contain the answer</b>: a cited passage counts when it holds at least half of the expected answer's content words.</li>
<li><b>Answer token F1 / exact match</b>: after lower-casing and removing accents, punctuation, articles and citation markers. Search only is scored on its top passage.</li>
<li><b>Semantic similarity</b>: cosine similarity of the answer and the expected answer under the library's embedding model.</li>
<li><b>Declines</b>: Quire found nothing relevant, or the answer says the library does not contain it.</li>
<li><b>Score</b>: mean of token F1 on answerable questions and 1/0 for declining unanswerable ones.</li>
</ul></details>`;
}

const CSS = `
:root { color-scheme: light; --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #ffffff; --soft: #f8fafc; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
header, main { max-width: 1200px; margin: 0 auto; padding: 0 24px; }
@media (max-width: 700px) { header, main { padding: 0 12px; } }
header { padding-top: 24px; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 32px 0 12px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 0 0 6px; }
.meta span { display: inline-block; margin: 0 16px 4px 0; color: var(--muted); }
.meta b { color: var(--fg); font-weight: 600; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { font-weight: 600; background: var(--soft); }
table.summary td { font-variant-numeric: tabular-nums; }
h3.subhead { margin: 16px 0 6px; }
svg { max-width: 100%; height: auto; }
table.summary .winner { background: #ecfdf5; font-weight: 600; }
table.summary th[scope="row"] { font-weight: 400; background: none; }
table.summary tr.score th, table.summary tr.score td { font-weight: 600; }
.badge { display: inline-block; padding: 0 6px; border-radius: 4px; background: #166534; color: #fff; font-size: 11px; font-weight: 600; }
ul.skipped { color: var(--muted); padding-left: 18px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px 32px; }
figure.chart { margin: 0 0 12px; max-width: 100%; }
figure.chart figcaption { font-weight: 600; margin-bottom: 4px; }
.legend { font-weight: 400; color: var(--muted); font-size: 12px; margin-left: 8px; }
svg text { font: 12px system-ui, sans-serif; fill: var(--fg); }
svg .muted, svg .tick { fill: var(--muted); }
svg .track { fill: #f1f5f9; }
svg .grid { stroke: var(--line); }
svg .axis { stroke: #9ca3af; }
svg .dot { opacity: 0.7; }
svg .median { stroke: #111827; stroke-width: 2; }
svg .p95 { stroke: #111827; stroke-width: 1.5; stroke-dasharray: 3 3; }
article.question { margin: 0 0 24px; padding: 12px 16px; border: 1px solid var(--line); border-radius: 8px; }
.qid { display: inline-block; min-width: 2em; padding: 0 6px; margin-right: 6px; border-radius: 4px; background: var(--soft); color: var(--muted); font-weight: 400; }
td.cited { overflow-wrap: anywhere; min-width: 7em; }
td.measures { font-size: 12px; min-width: 11em; }
td.measures dl { margin: 0; }
td.measures dl > div { display: flex; justify-content: space-between; gap: 8px; }
td.measures dt { color: var(--muted); }
td.measures dd { margin: 0; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.answer { min-width: 8em; max-width: 420px; white-space: pre-wrap; overflow-wrap: anywhere; }
details summary { cursor: pointer; }
details.bad summary { color: #b91c1c; }
details.good summary { color: #166534; }
blockquote { margin: 4px 0 8px; padding: 4px 8px; border-left: 3px solid var(--line); color: #374151; white-space: pre-wrap; max-width: 420px; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.small { font-size: 12px; }
.error { color: #b91c1c; }
p.verdict { font-size: 16px; line-height: 1.6; padding: 12px 16px; background: #eff6ff; border-left: 4px solid #2563eb; border-radius: 4px; }
.definitions { margin: 16px 0 48px; color: #374151; }
`;
