import { useEffect, useId, useRef, type ReactNode } from 'react';
import { ErrorNotice } from './Notice.tsx';

/**
 * A modal on the native <dialog>: focus is trapped and restored by the browser, Escape closes it,
 * and it is labelled by its title. On opening, focus goes to the element marked `data-autofocus`
 * (say the safe choice of a confirmation), else to the first focusable one.
 */
export function Dialog({
  open,
  title,
  onClose,
  children,
  wide = false,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      // React's autoFocus runs before the dialog is shown, when nothing in it can take focus.
      d.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    }
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby={titleId}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open ? (
        <>
          <header className="dialog-header">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="btn btn-ghost btn-icon" aria-label="Close" onClick={onClose}>
              ×
            </button>
          </header>
          <div className="dialog-body">{children}</div>
        </>
      ) : null}
    </dialog>
  );
}

/** The end of a dialog form: the form's own problem, the server's error, then Cancel and submit. */
export function FormFooter({
  problem,
  error,
  errorTitle,
  busy,
  busyLabel,
  submitLabel,
  onCancel,
}: {
  problem: string | null;
  error: unknown;
  errorTitle: string;
  busy: boolean;
  busyLabel: string;
  submitLabel: string;
  onCancel: () => void;
}) {
  return (
    <>
      {problem ? (
        <p className="field-error" role="alert">
          {problem}
        </p>
      ) : null}
      <ErrorNotice error={error} title={errorTitle} />
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? busyLabel : submitLabel}
        </button>
      </div>
    </>
  );
}
