import { NewLibraryForm } from './NewLibraryForm.js';

export function NewLibraryView() {
  return (
    <section className="page narrow" aria-labelledby="new-library-heading">
      <h1 id="new-library-heading">New library</h1>
      <p className="muted">
        A library is a set of folders Quire reads and indexes on this computer. Nothing leaves it: no file, question or answer.
      </p>
      <NewLibraryForm />
    </section>
  );
}
