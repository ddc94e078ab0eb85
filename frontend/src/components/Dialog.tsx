import { useEffect, useId, useRef, type ReactNode } from 'react';

interface Props {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}

/** A modal dialog: Escape or the × closes it; focus moves into it when it opens. */
export function Dialog({ title, onClose, children, wide }: Props) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  });

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>(
      'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button.btn-primary:not([disabled])',
    );
    first?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') close.current();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      previous?.focus?.();
    };
  }, []);

  return (
    <div className="ds-modal-backdrop">
      <div
        ref={ref}
        className={`ds-modal${wide ? ' ds-modal-wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
      >
        <div className="ds-modal-header">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="btn btn-small ds-modal-close" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        <div className="ds-modal-body">{children}</div>
      </div>
    </div>
  );
}
