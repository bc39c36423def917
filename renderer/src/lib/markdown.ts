import MarkdownIt from 'markdown-it';
import { CITATION_MARKER, citationNumbers } from './citations.js';

type RenderEnv = {
  /** Source numbers the answer can point to; others render as inert markers. */
  known: ReadonlySet<number> | null;
};

/**
 * Model output is untrusted: raw HTML is escaped (html: false), images are off (no fetches from
 * an answer), and link targets go through markdown-it's validateLink (no javascript: URLs).
 */
const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: true });
md.disable('image');

md.inline.ruler.before('link', 'citation', (state, silent) => {
  if (state.src.charCodeAt(state.pos) !== 0x5b /* [ */) return false;
  const match = CITATION_MARKER.exec(state.src.slice(state.pos));
  if (!match) return false;
  // `[1](url)` is a link, not a citation.
  if (state.src.charAt(state.pos + match[0].length) === '(') return false;
  if (!silent) {
    const token = state.push('citation', '', 0);
    token.meta = { numbers: citationNumbers(match[1]!) };
  }
  state.pos += match[0].length;
  return true;
});

md.renderer.rules.citation = (tokens, idx, _options, env) => {
  const numbers = (tokens[idx]!.meta as { numbers: number[] }).numbers;
  const known = (env as RenderEnv | undefined)?.known ?? null;
  return numbers
    .map((n) => {
      const unknown = known !== null && !known.has(n);
      return unknown
        ? `<span class="cite-chip cite-unknown" title="The answer cites a passage it was not given">${n}</span>`
        : `<button type="button" class="cite-chip" data-cite="${n}" data-testid="citation-chip" aria-label="Source ${n}">${n}</button>`;
    })
    .join('');
};

const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('target', '_blank');
  tokens[idx]!.attrSet('rel', 'noopener noreferrer');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/** HTML for an answer, with [n] markers as citation chips. `known` = null while sources are not in yet. */
export function renderAnswer(text: string, known: ReadonlySet<number> | null): string {
  const env: RenderEnv = { known };
  return md.render(text, env);
}
