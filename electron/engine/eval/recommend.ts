import { formatMs, formatShare } from './format.js';
import type { EvalReport, ModeSummary, Recommendation } from './report-types.js';

/** Closer than this (on a 0..1 scale) and two modes are a tie: pick the faster. */
const TIE = 0.02;
/** Below this many questions, small differences are mostly noise. */
const FEW_QUESTIONS = 20;

/**
 * Plain-language verdict: the mode with the best mean answer quality (or, when no question has an
 * expected answer, the best recall@K), by how much it beats the runner-up, and what it costs in
 * latency against the fastest mode.
 */
export function recommend(report: Pick<EvalReport, 'modes' | 'k' | 'questionCount' | 'questions'>): Recommendation {
  const ran = report.modes.filter((m) => m.skipped === null && m.metrics !== null);
  const skippedNote = report.modes
    .filter((m) => m.skipped !== null)
    .map((m) => `${m.label} (${m.skipped})`)
    .join('; ');
  const notMeasured = skippedNote ? ` Not measured: ${skippedNote}.` : '';
  if (ran.length === 0) return { winner: null, runnerUp: null, basis: null, margin: null, text: `No mode could run.${notMeasured}` };

  const recallKey = `recall@${report.k}`;
  const byScore = ran.some((m) => m.score !== null);
  const basis = byScore ? 'answer quality' : ran.some((m) => m.metrics![recallKey] !== null) ? recallKey : null;
  const value = (m: ModeSummary): number | null => (byScore ? m.score : basis ? m.metrics![basis] ?? null : null);
  const latency = (m: ModeSummary): number => m.latency?.totalMs.median ?? Infinity;
  const ranked = [...ran].sort((a, b) => (value(b) ?? -1) - (value(a) ?? -1) || latency(a) - latency(b));
  const winner = ranked[0]!;
  const runnerUp = ranked[1] ?? null;
  const fastest = [...ran].sort((a, b) => latency(a) - latency(b))[0]!;
  const n = report.questionCount;

  if (basis === null) {
    return {
      winner: null, runnerUp: null, basis: null, margin: null,
      text: `The questions have neither expected answers nor expected sources, so no mode can be scored; ${fastest.label} is the fastest (${formatMs(fastest.latency?.totalMs.median ?? null)} median).${notMeasured}`,
    };
  }
  const w = value(winner) ?? 0;
  const r = runnerUp ? (value(runnerUp) ?? 0) : null;
  const margin = r === null ? null : w - r;
  const parts: string[] = [];
  const what = basis === 'answer quality' ? 'answer quality (token F1, and declining what the library does not hold)' : `expected sources found in the top ${report.k}`;
  if (runnerUp && margin !== null && margin < TIE) {
    const pick = latency(winner) <= latency(runnerUp) ? winner : runnerUp;
    parts.push(
      `${winner.label} and ${runnerUp.label} are tied on ${what} (${formatShare(w)} vs ${formatShare(r)}) over ${n} question${n === 1 ? '' : 's'}; ` +
        `the faster of the two, ${pick.label}, is the practical choice for this library.`,
    );
  } else if (runnerUp && r !== null) {
    const relative = r > 0 ? ` (${Math.round((w / r - 1) * 100)}% better)` : '';
    parts.push(
      `${winner.label} wins for this library: ${what} ${formatShare(w)} against ${formatShare(r)} for ${runnerUp.label}, ` +
        `${Math.round((w - r) * 100)} points ahead${relative}, over ${n} question${n === 1 ? '' : 's'}.`,
    );
  } else {
    parts.push(`Only ${winner.label} ran: ${what} ${formatShare(w)} over ${n} question${n === 1 ? '' : 's'}.`);
  }
  const wl = winner.latency?.totalMs;
  if (winner === fastest) parts.push(`It is also the fastest mode (${formatMs(wl?.median ?? null)} median per answer, p95 ${formatMs(wl?.p95 ?? null)}).`);
  else {
    const fl = fastest.latency?.totalMs.median ?? null;
    const ratio = fl && wl?.median ? ` (${(wl.median / fl).toFixed(1)}x)` : '';
    parts.push(`It costs ${formatMs(wl?.median ?? null)} median per answer (p95 ${formatMs(wl?.p95 ?? null)}) against ${formatMs(fl)} for ${fastest.label}, the fastest${ratio}.`);
  }
  const hit = winner.metrics![`hit@${report.k}`];
  if (hit !== null && hit !== undefined) parts.push(`Its retrieval puts an expected source in the top ${report.k} for ${formatShare(hit)} of the questions that name one.`);
  const abstention = winner.metrics!.abstention;
  if (abstention !== null && abstention !== undefined) parts.push(`On questions the library cannot answer it declines ${formatShare(abstention)} of the time.`);
  if (n < FEW_QUESTIONS) parts.push(`With only ${n} question${n === 1 ? '' : 's'}, treat differences of a few points as noise; a set of 50 or more gives a steadier verdict.`);
  return { winner: winner.mode, runnerUp: runnerUp?.mode ?? null, basis, margin, text: parts.join(' ') + notMeasured };
}
