import { useId } from 'react';
import type { ConversationSummary, Profile } from '../../lib/types.js';

interface Props {
  conversations: ConversationSummary[];
  conversationId: number | null;
  streaming: boolean;
  profiles: Profile[];
  profile: string | null;
  onProfile(name: string | null): void;
  onOpen(id: number): void;
  onNew(): void;
  onRemove(id: number): void;
}

function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function ChatHeader(props: Props) {
  const id = useId();
  const { conversationId, streaming } = props;
  return (
    <div className="chat-header">
      <div className="field inline">
        <label htmlFor={`${id}-conversation`} className="visually-hidden">
          Conversation
        </label>
        <select
          id={`${id}-conversation`}
          data-testid="conversation-select"
          value={conversationId ?? ''}
          disabled={streaming}
          onChange={(e) => (e.target.value ? props.onOpen(Number(e.target.value)) : props.onNew())}
        >
          <option value="">New chat</option>
          {props.conversations.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title.length > 60 ? `${c.title.slice(0, 60)}…` : c.title} · {when(c.createdAt)}
            </option>
          ))}
        </select>
      </div>
      <button type="button" className="secondary" data-testid="new-chat" disabled={streaming} onClick={props.onNew} title="Ctrl/Cmd+Shift+N">
        New chat
      </button>
      {conversationId !== null ? (
        <button
          type="button"
          className="secondary"
          data-testid="conversation-delete"
          disabled={streaming}
          onClick={() => {
            if (window.confirm('Delete this conversation?')) props.onRemove(conversationId);
          }}
        >
          Delete
        </button>
      ) : null}
      <div className="field inline push-right">
        <label htmlFor={`${id}-profile`}>Profile</label>
        <select id={`${id}-profile`} data-testid="profile-select" value={props.profile ?? ''} onChange={(e) => props.onProfile(e.target.value || null)}>
          <option value="">Automatic</option>
          {props.profiles.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
