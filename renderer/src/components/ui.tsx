import {
  Component,
  createContext,
  useCallback,
  useContext,
  useEffect,
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
  /** The action it belongs to: a later success of the same action clears its errors. */
  key: string | null;
  /** The same error again is counted, not stacked. */
  count: number;
  /** Since when it has been on a visible page (null while the window is hidden). */
  shownAt: number | null;
  /** Its action has since succeeded: it goes once the user has had time to see it. */
  resolved: boolean;
}

export interface ToastOptions {
  /** The action it belongs to (see `resolveToasts`). */
  key?: string;
}

type ShowToast = (text: string, kind?: Toast['kind'], options?: ToastOptions) => void;

const ToastCtx = createContext<ShowToast>(() => {});
const ResolveCtx = createContext<(key: string) => void>(() => {});

/** How long an error stays on a visible page at least, even after its action succeeded. */
const MIN_SEEN_MS = 2500;
const INFO_MS = 3500;
const MAX_INFO = 3;

const pageVisible = () => typeof document === 'undefined' || document.visibilityState === 'visible';

/**
 * Toasts: confirmations go by themselves; errors stay until dismissed (× or Escape) or until the
 * same action succeeds — and even then only once they have been on screen for a moment, so an
 * error the user has not seen is never swept away.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const latest = useRef(toasts);
  latest.current = toasts;

  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((x) => x.id !== id)), []);

  const show = useCallback<ShowToast>((text, kind = 'info', options = {}) => {
    const key = options.key ?? null;
    const now = Date.now();
    if (kind === 'error') {
      setToasts((all) => {
        const same = all.find((t) => t.kind === 'error' && t.text === text && t.key === key);
        const rest = all.filter((t) => t !== same);
        const count = (same?.count ?? 0) + 1;
        const id = next.current++;
        return [...rest, { id, text, kind, key, count, shownAt: pageVisible() ? now : null, resolved: false }];
      });
      return;
    }
    const id = next.current++;
    setToasts((all) => {
      const infos = all.filter((t) => t.kind === 'info');
      const drop = new Set(infos.slice(0, Math.max(0, infos.length - (MAX_INFO - 1))).map((t) => t.id));
      return [
        ...all.filter((t) => !drop.has(t.id)),
        { id, text, kind, key, count: 1, shownAt: pageVisible() ? now : null, resolved: false },
      ];
    });
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), INFO_MS);
  }, []);

  const resolve = useCallback((key: string) => {
    setToasts((all) =>
      all.some((t) => t.kind === 'error' && t.key === key && !t.resolved)
        ? all.map((t) => (t.kind === 'error' && t.key === key ? { ...t, resolved: true } : t))
        : all,
    );
  }, []);

  // Resolved errors leave once seen long enough; the clock only runs while the page is visible.
  const hasResolved = toasts.some((t) => t.resolved);
  useEffect(() => {
    if (!hasResolved) return;
    const sweep = () => {
      if (!pageVisible()) return;
      const now = Date.now();
      setToasts((all) => {
        const kept = all.filter((t) => !(t.resolved && t.shownAt !== null && now - t.shownAt >= MIN_SEEN_MS));
        return kept.length === all.length ? all : kept;
      });
    };
    sweep();
    const timer = setInterval(sweep, 250);
    return () => clearInterval(timer);
  }, [hasResolved]);

  useEffect(() => {
    const onVisibility = () => {
      const visible = pageVisible();
      const now = Date.now();
      setToasts((all) =>
        all.map((t) =>
          visible ? (t.shownAt === null ? { ...t, shownAt: now } : t) : t.resolved ? { ...t, shownAt: null } : t,
        ),
      );
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, []);

  // Escape dismisses the newest error, unless something else used the key (a dialog, a field).
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      if (document.querySelector('dialog[open]')) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      const errors = latest.current.filter((t) => t.kind === 'error');
      const last = errors[errors.length - 1];
      if (!last) return;
      e.preventDefault();
      dismiss(last.id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [dismiss]);

  return (
    <ToastCtx.Provider value={show}>
      <ResolveCtx.Provider value={resolve}>
        {children}
        <div className="toasts" aria-live="polite">
          {toasts.map((t) => (
            <div
              key={t.id}
              className={`toast toast-${t.kind}`}
              role={t.kind === 'error' ? 'alert' : 'status'}
              onKeyDown={(e) => {
                if (e.key === 'Escape') {
                  e.preventDefault();
                  e.stopPropagation();
                  dismiss(t.id);
                }
              }}
            >
              <span className="toast-text">{t.text}</span>
              {t.count > 1 && (
                <span className="toast-count" aria-label={`${t.count} times`}>
                  ×{t.count}
                </span>
              )}
              <button
                type="button"
                className="toast-close"
                aria-label={t.kind === 'error' ? 'Dismiss error' : 'Dismiss'}
                title={t.kind === 'error' ? 'Dismiss (Esc)' : 'Dismiss'}
                onClick={() => dismiss(t.id)}
              >
                ×
              </button>
            </div>
          ))}
        </div>
      </ResolveCtx.Provider>
    </ToastCtx.Provider>
  );
}

export function useToast() {
  return useContext(ToastCtx);
}

/** Clears the errors of an action that has now succeeded (once they have been seen). */
export function useResolveToasts() {
  return useContext(ResolveCtx);
}

/**
 * Runs an action, shows its error as a toast, and tracks whether it is busy. A success clears
 * the error toasts an earlier failure of the same action left (`name`, within `scope`).
 */
export function useAction(scope = '') {
  const toast = useToast();
  const resolve = useResolveToasts();
  const [busy, setBusy] = useState<string | null>(null);
  const run = useCallback(
    async <T,>(
      name: string,
      action: () => Promise<T>,
      done?: string | ((result: T) => string),
    ): Promise<T | undefined> => {
      const key = scope ? `${scope}:${name}` : name;
      setBusy(name);
      try {
        const result = await action();
        resolve(key);
        if (done) toast(typeof done === 'function' ? done(result) : done);
        return result;
      } catch (err) {
        toast(errorText(err), 'error', { key });
        return undefined;
      } finally {
        setBusy(null);
      }
    },
    [toast, resolve, scope],
  );
  return { busy, run };
}
