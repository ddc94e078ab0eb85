/**
 * Toasts: short notes in a corner that something happened elsewhere (a run failed while the user looks at
 * another part of the screen). One small store for the app; a toast with the id of one shown is not shown twice.
 */
import { Link } from 'react-router-dom';
import { create } from 'zustand';

export interface Toast {
  /** e.g. `run-42`: the same event told twice (two topics, a refetch) shows once. */
  id: string;
  kind: 'error' | 'warn' | 'ok';
  title: string;
  detail?: string;
  link?: { to: string; label: string };
}

interface ToastState {
  toasts: Toast[];
  /** Ids already shown (dismissed ones too). */
  seen: Set<string>;
  push: (toast: Toast) => void;
  dismiss: (id: string) => void;
}

const MAX_TOASTS = 4;
const TOAST_MS = 12_000;

export const useToasts = create<ToastState>((set, get) => ({
  toasts: [],
  seen: new Set(),
  push: (toast) => {
    if (get().seen.has(toast.id)) return;
    set((s) => ({ toasts: [...s.toasts, toast].slice(-MAX_TOASTS), seen: new Set(s.seen).add(toast.id) }));
    window.setTimeout(() => get().dismiss(toast.id), TOAST_MS);
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));

export function pushToast(toast: Toast): void {
  useToasts.getState().push(toast);
}

export function Toaster() {
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} data-testid="toast">
          <div className="toast-body">
            <strong>{t.title}</strong>
            {t.detail && <div className="toast-detail">{t.detail}</div>}
            {t.link && (
              <Link to={t.link.to} onClick={() => dismiss(t.id)}>
                {t.link.label}
              </Link>
            )}
          </div>
          <button type="button" className="btn btn-ghost btn-small" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
