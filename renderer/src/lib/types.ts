import type { Result, StreamEvent } from '../../../electron/shared/contract.js';

export type LibrarySummary = Result<'libraries.list'>[number];
export type LibraryStatus = Result<'libraries.status'>;
export type IndexProgress = StreamEvent<'libraries.index'>;
export type IndexSummary = Result<'libraries.index'>;
export type SearchResponse = Result<'search'>;
export type SearchResult = SearchResponse['results'][number];
export type AnswerEvent = StreamEvent<'ask'>;
export type DoneEvent = Extract<AnswerEvent, { type: 'done' }>;
export type AnswerSource = Extract<AnswerEvent, { type: 'sources' }>['sources'][number];
export type Passage = Result<'passages.get'>;
export type ConversationSummary = Result<'conversations.list'>[number];
export type ConversationMessage = Result<'conversations.get'>[number];
export type ModelInfo = Result<'models.list'>[number];
export type CatalogItem = Result<'models.catalog'>[number];
export type PullProgress = StreamEvent<'models.pull'>;
export type AdapterInfo = Result<'adapters.list'>[number];
export type Profile = Result<'profiles.list'>[number];
export type Settings = Result<'settings.get'>;
export type Theme = Settings['theme'];

export type EvalRunSummary = Result<'eval.runs'>[number];

export type View = 'chat' | 'search' | 'evaluate' | 'library' | 'new-library' | 'models' | 'settings';
