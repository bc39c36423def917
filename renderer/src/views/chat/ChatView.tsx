import { useImperativeHandle, useRef, useState, type Ref } from 'react';
import { useApp } from '../../state/app.js';
import { ChatHeader } from './ChatHeader.js';
import { NoModelNotice } from './NoModelNotice.js';
import { QuestionBox } from './QuestionBox.js';
import { SourcesPanel } from './SourcesPanel.js';
import { Transcript } from './Transcript.js';
import { useChat } from './useChat.js';

/** What the window's keyboard shortcuts drive. */
export interface ChatHandle {
  ask(): void;
  stop(): void;
  newChat(): void;
}

export function ChatView({ library, ref }: { library: string; ref?: Ref<ChatHandle> }) {
  const { openPassage, models, libraries, profiles } = useApp();
  const chat = useChat(library);
  const [draft, setDraft] = useState('');
  const [profile, setProfile] = useState<string | null>(null);
  const [activeTurn, setActiveTurn] = useState<string | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);

  const send = () => {
    if (chat.streaming || !draft.trim()) return;
    chat.ask(draft.trim(), profile);
    setDraft('');
    setActiveTurn(null);
  };
  const newChat = () => {
    chat.newChat();
    setActiveTurn(null);
    input.current?.focus();
  };

  useImperativeHandle(ref, () => ({ ask: send, stop: chat.stop, newChat }));

  const shown = chat.turns.find((t) => t.key === activeTurn) ?? chat.turns.at(-1) ?? null;
  const openSource = (turnKey: string, n: number) => {
    const turn = chat.turns.find((t) => t.key === turnKey);
    const source = turn?.sources?.find((s) => s.n === n);
    setActiveTurn(turnKey);
    if (source) openPassage({ library, chunkId: source.chunkId, source });
  };
  const summary = libraries?.find((l) => l.name === library);
  const shownProfile = shown?.done?.profile ?? shown?.profile ?? null;
  const withoutRetrieval = profiles?.find((p) => p.name === shownProfile)?.retrieval === false;

  return (
    <div className="chat" data-testid="chat-view">
      <div className="chat-main">
        <ChatHeader
          conversations={chat.conversations}
          conversationId={chat.conversationId}
          streaming={chat.streaming}
          profiles={profiles ?? []}
          profile={profile}
          onProfile={setProfile}
          onOpen={(id) => {
            setActiveTurn(null);
            void chat.openConversation(id);
          }}
          onNew={newChat}
          onRemove={(id) => void chat.removeConversation(id)}
        />
        {models !== null && models.length === 0 ? <NoModelNotice /> : null}
        <Transcript
          library={library}
          empty={summary !== undefined && summary.chunks === 0}
          turns={chat.turns}
          activeTurn={shown?.key ?? null}
          onSelectTurn={setActiveTurn}
          onCite={openSource}
        />
        <QuestionBox ref={input} value={draft} onChange={setDraft} onSend={send} onStop={chat.stop} streaming={chat.streaming} library={library} />
      </div>
      <SourcesPanel turn={shown} withoutRetrieval={withoutRetrieval} onOpen={(n) => shown && openSource(shown.key, n)} />
    </div>
  );
}
