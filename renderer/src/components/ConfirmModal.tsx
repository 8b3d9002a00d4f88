import type { ReactNode } from 'react';
import { Modal } from './Modal.tsx';

/**
 * "Are you sure?" for an action that changes much at once: what will happen in the body, a way
 * out, and the action named with its count. While the action runs both buttons wait and the
 * dialog stays open, so a second click cannot start it twice.
 */
export function ConfirmModal(props: {
  title: string;
  children: ReactNode;
  /** The way out, e.g. "Not now". */
  keepLabel: string;
  /** The action, e.g. "Retry 3 jobs". */
  confirmLabel: string;
  /** Shown on the action while it runs, e.g. "Queueing…". */
  busyLabel?: string;
  busy?: boolean;
  /** Styles the action as destructive. */
  danger?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const busy = props.busy ?? false;
  return (
    <Modal title={props.title} onClose={() => !busy && props.onClose()}>
      {props.children}
      <div className="field-row" style={{ justifyContent: 'flex-end' }}>
        <button type="button" className="btn btn-ghost" disabled={busy} onClick={props.onClose}>
          {props.keepLabel}
        </button>
        <button
          type="button"
          className={`btn ${props.danger ? 'btn-danger' : 'btn-primary'}`}
          disabled={busy}
          aria-busy={busy}
          onClick={props.onConfirm}
        >
          {busy ? (props.busyLabel ?? props.confirmLabel) : props.confirmLabel}
        </button>
      </div>
    </Modal>
  );
}
