import type { AnswerSource } from '../../shared/answer.js';
import type { Db } from './db.js';

export interface MessageRow {
  id: number;
  conversationId: number;
  role: 'user' | 'assistant';
  text: string;
  profile: string | null;
  sources: AnswerSource[];
  createdAt: string;
}

export interface ConversationRow {
  id: number;
  title: string;
  createdAt: string;
}

export class ConversationStore {
  constructor(private readonly db: Db) {}

  create(title: string): number {
    return Number(this.db.prepare('INSERT INTO conversations (title) VALUES (?)').run(title.slice(0, 120)).lastInsertRowid);
  }

  get(id: number): ConversationRow | undefined {
    return this.db.prepare('SELECT id, title, created_at AS createdAt FROM conversations WHERE id = ?').get(id) as ConversationRow | undefined;
  }

  list(): ConversationRow[] {
    return this.db.prepare('SELECT id, title, created_at AS createdAt FROM conversations ORDER BY id DESC').all() as ConversationRow[];
  }

  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM conversations WHERE id = ?').run(id).changes > 0;
  }

  addMessage(conversationId: number, role: 'user' | 'assistant', text: string, profile: string | null = null, sources: AnswerSource[] = []): number {
    return Number(
      this.db.prepare('INSERT INTO messages (conversation_id, role, text, profile, sources) VALUES (?, ?, ?, ?, ?)').run(conversationId, role, text, profile, JSON.stringify(sources)).lastInsertRowid,
    );
  }

  messages(conversationId: number): MessageRow[] {
    const rows = this.db
      .prepare('SELECT id, conversation_id AS conversationId, role, text, profile, sources, created_at AS createdAt FROM messages WHERE conversation_id = ? ORDER BY id')
      .all(conversationId) as (Omit<MessageRow, 'sources'> & { sources: string })[];
    return rows.map((r) => ({ ...r, sources: JSON.parse(r.sources) as AnswerSource[] }));
  }
}
