import type { Migration } from './types.js';

/** Conversations and their turns; an answer keeps the chunk ids it cited so a citation can be reopened later. */
export const conversations: Migration = {
  version: 3,
  name: 'conversations and messages with cited chunks',
  up: `
    CREATE TABLE conversations (
      id         INTEGER PRIMARY KEY,
      title      TEXT NOT NULL,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT;
    CREATE TABLE messages (
      id              INTEGER PRIMARY KEY,
      conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      role            TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
      text            TEXT NOT NULL,
      profile         TEXT,
      sources         TEXT NOT NULL DEFAULT '[]',
      created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    ) STRICT;
    CREATE INDEX messages_conversation ON messages(conversation_id, id);
  `,
};
