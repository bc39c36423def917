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

const titleOf = (name: string): string => METRIC_TITLES[name] ?? name;
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
    ['run', r.runId === null ? 'not saved' : `#${r.runId}`], ['date', r.createdAt], ['questions', `${r.questionCount} from ${r.questionSet}`],
    ['model', r.model ?? 'none'], ['adapters', r.adapters.join(', ') || 'none'], ['embedder', r.embedder ?? 'none'], ['K', String(r.k)],
    ['peak memory', `${r.memory.maxRssMb} MB`],
  ];
  return items.map(([k, v]) => `<span><b>${esc(k!)}</b> ${esc(v!)}</span>`).join(' ');
}

function summaryTable(r: EvalReport): string {
  const names = r.metricNames;
  const head = `<tr><th>mode</th><th>score</th>${names.map((n) => `<th>${esc(n)}</th>`).join('')}<th>median total</th><th>p95 total</th><th>median first token</th><th>tokens/s</th><th>peak RSS</th></tr>`;
  const rows = r.modes
    .map((m) => {
      if (m.skipped !== null || !m.metrics) return `<tr class="skipped"><td>${esc(m.label)}</td><td colspan="${names.length + 6}">skipped: ${esc(m.skipped ?? '')}</td></tr>`;
      const winner = r.recommendation.winner === m.mode ? ' class="winner"' : '';
      return (
        `<tr${winner}><td title="${esc(m.description)}">${esc(m.label)}${m.errors ? ` <span class="muted">(${m.errors} errors)</span>` : ''}</td><td>${formatShare(m.score)}</td>` +
        names.map((n) => `<td>${formatMetric(n, m.metrics![n] ?? null)}</td>`).join('') +
        `<td>${formatMs(m.latency?.totalMs.median ?? null)}</td><td>${formatMs(m.latency?.totalMs.p95 ?? null)}</td><td>${formatMs(m.latency?.firstTokenMs.median ?? null)}</td>` +
        `<td>${formatNumber(m.latency?.tokensPerSecond.median ?? null, 1)}</td><td>${m.memory ? `${m.memory.peakRssMb} MB` : '-'}</td></tr>`
      );
    })
    .join('');
  return `<div class="scroll"><table class="summary">${head}${rows}</table></div>`;
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
        `<td class="answer">${text}${flags ? `<div class="muted small">${esc(flags)}</div>` : ''}</td><td>${cited}</td>` +
        `<td>${formatShare(a.quality)}</td><td>${formatShare(a.metrics.answerF1)}</td><td>${formatNumber(a.metrics.semanticSimilarity)}</td><td>${formatShare(a.metrics.recall)}</td><td>${formatMs(a.timings.totalMs)}</td></tr>`
      );
    })
    .join('');
  return (
    `<article class="question"><h3><span class="qid">${esc(q.id)}</span> ${esc(q.question)}</h3>${expected}` +
    `<div class="scroll"><table><tr><th>mode</th><th>answer</th><th>cited passages</th><th>score</th><th>F1</th><th>similarity</th><th>recall</th><th>time</th></tr>${rows}</table></div></article>`
  );
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
<li><b>hit@${k}, recall@${k}, mrr@${k}</b>: against the expected sources (a file path or bare file name, and a page when given) in the first ${k} passages the mode retrieved; several passages of one file count as finding that file once.</li>
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
header { padding-top: 24px; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 32px 0 12px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 0 0 6px; }
.meta span { display: inline-block; margin: 0 16px 4px 0; color: var(--muted); }
.meta b { color: var(--fg); font-weight: 600; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { font-weight: 600; background: var(--soft); white-space: nowrap; }
table.summary td { white-space: nowrap; }
tr.winner td { background: #ecfdf5; font-weight: 600; }
tr.skipped td { color: var(--muted); }
.charts { display: flex; flex-wrap: wrap; gap: 16px 32px; }
figure.chart { margin: 0 0 12px; }
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
td.answer { max-width: 420px; white-space: pre-wrap; overflow-wrap: anywhere; }
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
