import { useId, type KeyboardEvent, type Ref } from 'react';

interface Props {
  ref?: Ref<HTMLTextAreaElement>;
  value: string;
  onChange(value: string): void;
  onSend(): void;
  onStop(): void;
  streaming: boolean;
  library: string;
}

export function QuestionBox({ ref, value, onChange, onSend, onStop, streaming, library }: Props) {
  const id = useId();
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter is a new line; while composing (IME) Enter belongs to the composition.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      onSend();
    }
  };
  return (
    <form
      className="question-box"
      onSubmit={(e) => {
        e.preventDefault();
        onSend();
      }}
    >
      <label htmlFor={`${id}-q`} className="visually-hidden">
        Question about {library}
      </label>
      <textarea
        id={`${id}-q`}
        ref={ref}
        data-testid="chat-input"
        value={value}
        rows={2}
        placeholder={`Ask about ${library}…  (Enter to send, Shift+Enter for a new line)`}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={onKeyDown}
      />
      {streaming ? (
        <button type="button" className="danger" data-testid="chat-stop" onClick={onStop} title="Escape">
          Stop
        </button>
      ) : (
        <button type="submit" className="primary" data-testid="chat-send" disabled={!value.trim()} title="Enter or Ctrl/Cmd+Enter">
          Ask
        </button>
      )}
    </form>
  );
}
