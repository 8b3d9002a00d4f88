import {
  Component,
  createContext,
  useCallback,
  useContext,
  useRef,
  useState,
  type ErrorInfo,
  type ReactNode,
} from 'react';
import { errorText } from '../lib/format.ts';

/** An engine or network error, in place, with a way to try again. */
export function ErrorMessage({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const code = (error as { code?: string } | null)?.code;
  return (
    <div className="error-box" role="alert">
      <strong>{title ?? headline(code)}</strong>
      <p>{errorText(error)}</p>
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

function headline(code: string | undefined): string {
  switch (code) {
    case 'not_found':
      return 'Not found';
    case 'provider_error':
      return 'The artwork service did not answer properly';
    case 'io_error':
      return 'A file or folder could not be used';
    case 'bad_request':
      return 'That was not accepted';
    case 'conflict':
      return 'That conflicts with the current state';
    case 'unauthorized':
      return 'Not allowed';
    case 'unknown_method':
      return 'This version of the engine does not offer that yet';
    default:
      return 'Something went wrong';
  }
}

export function Spinner({ label = 'Loading' }: { label?: string }) {
  return (
    <div className="spinner" role="status" aria-live="polite">
      <span className="spinner-dot" aria-hidden="true" />
      <span>{label}…</span>
    </div>
  );
}

export function ProgressBar({ done, total, label }: { done: number; total: number; label?: string }) {
  const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : null;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label ?? 'Progress'}
      aria-valuemin={0}
      aria-valuemax={total > 0 ? total : undefined}
      aria-valuenow={total > 0 ? done : undefined}
    >
      <div
        className={`progress-fill ${pct === null ? 'progress-indeterminate' : ''}`}
        style={pct === null ? undefined : { width: `${pct}%` }}
      />
    </div>
  );
}

/** A labelled on/off switch (a checkbox underneath, for keyboards and screen readers). */
export function Switch({
  checked,
  onChange,
  label,
  disabled,
}: {
  checked: boolean;
  onChange: (v: boolean) => void;
  label: string;
  disabled?: boolean;
}) {
  return (
    <label className="switch">
      <input type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />
      <span className="switch-track" aria-hidden="true" />
      <span className="switch-label">{label}</span>
    </label>
  );
}

/** Catches a render error so one broken view shows a message, never a blank window. */
export class ErrorBoundary extends Component<
  { children: ReactNode; resetKey?: unknown },
  { error: Error | null; key: unknown }
> {
  override state: { error: Error | null; key: unknown } = { error: null, key: undefined };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  static getDerivedStateFromProps(props: { resetKey?: unknown }, state: { error: Error | null; key: unknown }) {
    if (props.resetKey !== state.key) return { error: null, key: props.resetKey };
    return null;
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('View crashed', error, info.componentStack);
  }

  override render() {
    if (this.state.error) {
      return (
        <div className="view-error">
          <ErrorMessage
            title="This view hit a problem"
            error={this.state.error}
            onRetry={() => this.setState({ error: null })}
          />
        </div>
      );
    }
    return this.props.children;
  }
}

// ---- toasts: short confirmations and errors of actions -------------------------------------

interface Toast {
  id: number;
  text: string;
  kind: 'info' | 'error';
}

const ToastCtx = createContext<(text: string, kind?: Toast['kind']) => void>(() => {});

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const show = useCallback((text: string, kind: Toast['kind'] = 'info') => {
    const id = next.current++;
    setToasts((t) => [...t.slice(-3), { id, text, kind }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), kind === 'error' ? 8000 : 3500);
  }, []);
  return (
    <ToastCtx.Provider value={show}>
      {children}
      <div className="toasts" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
            {t.text}
            <button
              type="button"
              className="toast-close"
              aria-label="Dismiss"
              onClick={() => setToasts((all) => all.filter((x) => x.id !== t.id))}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastCtx.Provider>
  );
}

export function useToast() {
  return useContext(ToastCtx);
}

/** Runs an action, shows its error as a toast, and tracks whether it is busy. */
export function useAction() {
  const toast = useToast();
  const [busy, setBusy] = useState<string | null>(null);
  const run = useCallback(
    async <T,>(
      name: string,
      action: () => Promise<T>,
      done?: string | ((result: T) => string),
    ): Promise<T | undefined> => {
      setBusy(name);
      try {
        const result = await action();
        if (done) toast(typeof done === 'function' ? done(result) : done);
        return result;
      } catch (err) {
        toast(errorText(err), 'error');
        return undefined;
      } finally {
        setBusy(null);
      }
    },
    [toast],
  );
  return { busy, run };
}
