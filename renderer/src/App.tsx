import { useEffect, useRef, useState } from 'react';
import { ErrorBanner } from './components/ErrorBanner.js';
import { DropOverlay } from './components/DropOverlay.js';
import { Sidebar } from './components/Sidebar.js';
import { useShortcuts } from './hooks/useShortcuts.js';
import { useWindowDrop } from './hooks/useWindowDrop.js';
import type { View } from './lib/types.js';
import { useApp } from './state/app.js';
import { ChatView, type ChatHandle } from './views/chat/ChatView.js';
import { EvaluateView } from './views/evaluate/EvaluateView.js';
import { LibraryView } from './views/library/LibraryView.js';
import { NewLibraryView } from './views/library/NewLibraryView.js';
import { Welcome } from './views/library/Welcome.js';
import { ModelsView } from './views/models/ModelsView.js';
import { PassageView } from './views/passage/PassageView.js';
import { SearchView } from './views/search/SearchView.js';
import { SettingsView } from './views/settings/SettingsView.js';

export function App() {
  const { libraries, selected, view, setView, passage, closePassage } = useApp();
  const chat = useRef<ChatHandle>(null);
  const [searchFocus, setSearchFocus] = useState(0);
  // Views stay mounted once opened, so a running answer or download survives switching views.
  const [visited, setVisited] = useState<ReadonlySet<View>>(() => new Set([view]));
  const dragging = useWindowDrop();

  useEffect(() => {
    setVisited((seen) => (seen.has(view) ? seen : new Set([...seen, view])));
  }, [view]);

  useShortcuts({
    ask: () => {
      if (!selected) return;
      setView('chat');
      chat.current?.ask();
    },
    stop: () => {
      if (passage) closePassage();
      else chat.current?.stop();
    },
    newChat: () => {
      if (!selected) return;
      setView('chat');
      chat.current?.newChat();
    },
    focusSearch: () => {
      if (!selected) return;
      setView('search');
      setSearchFocus((n) => n + 1);
    },
  });

  const noLibrary = libraries !== null && libraries.length === 0;
  const libraryView = view === 'chat' || view === 'search' || view === 'evaluate' || view === 'library';
  return (
    <div className="app">
      <Sidebar />
      <div className="main-column">
        <ErrorBanner />
        <main className="main" id="main">
          {libraryView && noLibrary ? <Welcome /> : null}
          {libraries === null && libraryView ? <p className="muted pad">Loading libraries…</p> : null}
          {selected ? (
            <>
              <div className="view" hidden={view !== 'chat'}>
                <ChatView key={selected} ref={chat} library={selected} />
              </div>
              <div className="view" hidden={view !== 'search'}>
                <SearchView key={selected} library={selected} focusSignal={searchFocus} />
              </div>
              {visited.has('evaluate') ? (
                // Kept mounted once opened, so a running evaluation keeps its progress and Cancel.
                <div className="view" hidden={view !== 'evaluate'}>
                  <EvaluateView key={selected} library={selected} />
                </div>
              ) : null}
              {view === 'library' ? (
                <div className="view">
                  <LibraryView key={selected} library={selected} />
                </div>
              ) : null}
            </>
          ) : null}
          {view === 'new-library' ? (
            <div className="view">
              <NewLibraryView />
            </div>
          ) : null}
          {visited.has('models') ? (
            <div className="view" hidden={view !== 'models'}>
              <ModelsView />
            </div>
          ) : null}
          {view === 'settings' ? (
            <div className="view">
              <SettingsView />
            </div>
          ) : null}
        </main>
      </div>
      {passage ? <PassageView target={passage} onClose={closePassage} /> : null}
      {dragging ? <DropOverlay /> : null}
    </div>
  );
}
