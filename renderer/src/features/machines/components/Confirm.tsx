import { useEffect, useRef, useState } from 'react';

/**
 * A button that asks first: the first press shows what will happen with a confirming button (focused, so
 * Enter confirms and Escape or Cancel steps back). Inline, not window.confirm: it reads in the app's words and
 * keeps the keyboard where it was.
 */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  danger,
  disabled,
  onConfirm,
}: {
  label: string;
  question: string;
  confirmLabel: string;
  danger?: boolean;
  disabled?: boolean;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) yes.current?.focus();
    else if (wasAsking.current) opener.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button ref={opener} type="button" className={`btn${danger ? ' danger' : ''}`} disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <div className="confirm" role="group" aria-label={question} onKeyDown={(e) => e.key === 'Escape' && setAsking(false)}>
      <p>{question}</p>
      <div className="confirm-buttons">
        <button
          ref={yes}
          type="button"
          className={`btn ${danger ? 'danger' : 'primary'}`}
          disabled={disabled}
          onClick={() => {
            setAsking(false);
            onConfirm();
          }}
        >
          {confirmLabel}
        </button>
        <button type="button" className="btn" onClick={() => setAsking(false)}>
          Cancel
        </button>
      </div>
    </div>
  );
}
