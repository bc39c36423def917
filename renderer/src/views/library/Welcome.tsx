import { NewLibraryForm } from './NewLibraryForm.js';

/** First run: no library yet. */
export function Welcome() {
  return (
    <section className="page narrow welcome" data-testid="empty-no-library" aria-labelledby="welcome-heading">
      <h1 id="welcome-heading">Ask questions about your own documents</h1>
      <p>
        Start by making a <strong>library</strong>: give it a name and the folder where your documents are (notes, PDFs, Word
        and OpenDocument files, e-books, code…). Quire reads them here, on this computer, and answers with the passages it
        found, each one cited so you can check it.
      </p>
      <NewLibraryForm />
    </section>
  );
}
