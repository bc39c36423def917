import type { Passage } from '../../lib/types.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';

/** Electron opens the file in the system viewer; a browser opens the URL the server gives for it. */
export function OpenFileButton({ passage }: { passage: Passage }) {
  const client = useClient();
  const { report } = useBanner();

  if (client.shell === 'browser' && passage.fileUrl) {
    // The browser's PDF viewer opens at the passage's page (a fragment: the request is the same).
    const isPdf = passage.kind === 'pdf' || /\.pdf$/i.test(passage.path);
    const href = isPdf && passage.page !== null ? `${passage.fileUrl}#page=${passage.page}` : passage.fileUrl;
    return (
      <a className="button secondary" href={href} target="_blank" rel="noopener noreferrer" data-testid="passage-open">
        Open file
      </a>
    );
  }

  const open = async () => {
    try {
      const result = await client.call('documents.open', { library: passage.library, path: passage.path });
      if (result.opened) return;
      if (result.url) window.open(result.url, '_blank', 'noopener,noreferrer');
      else report({ code: 'not-opened', message: `No application could open ${passage.relativePath}` }, 'Opening the file');
    } catch (error) {
      report(error, 'Opening the file');
    }
  };
  return (
    <button type="button" className="secondary" data-testid="passage-open" onClick={open}>
      Open file
    </button>
  );
}
