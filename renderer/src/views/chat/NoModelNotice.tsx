import { useApp } from '../../state/app.js';

export function NoModelNotice() {
  const { setView } = useApp();
  return (
    <p className="callout" data-testid="empty-no-model">
      No language model yet: answers will be the best passages from your documents until you add a model.{' '}
      <button type="button" className="link" data-testid="empty-no-model-link" onClick={() => setView('models')}>
        Add a model
      </button>
    </p>
  );
}
