/**
 * Client signals the engine may abort itself. A surface that makes its client's signal here lets the
 * engine end a whole-answer run (its key revoked or expired) by aborting that signal, instead of
 * making a second AbortSignal for every request: each costs microseconds on the hot path.
 */
// The controller rides on its signal under a private symbol: a WeakMap entry per request cost the
// garbage collector more (ephemerons are traced at every scavenge) than the lookup saved.
const kController = Symbol('abortable controller');
type Abortable = AbortSignal & { [kController]?: AbortController };

export function createAbortable(): AbortController {
  const controller = new AbortController();
  (controller.signal as Abortable)[kController] = controller;
  return controller;
}

/** Aborts `signal` with `reason` if it was made by createAbortable; false otherwise. */
export function abortSignal(signal: AbortSignal, reason: unknown): boolean {
  const controller = (signal as Abortable)[kController];
  if (!controller) return false;
  controller.abort(reason);
  return true;
}

export function isAbortable(signal: AbortSignal): boolean {
  return (signal as Abortable)[kController] !== undefined;
}

/** A cancellation (the client went away, or the engine ended the run), not a failure: nobody to answer. */
export const isAbort = (err: unknown) => (err as { name?: string })?.name === 'AbortError' || (err as { code?: string })?.code === 'ABORT_ERR';

/** The AbortError to throw for an aborted signal: its own reason when that is one, else a new one (the reason as its cause). */
export function abortError(signal: AbortSignal, message = 'The operation was aborted'): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error(message, { cause: reason });
  err.name = 'AbortError';
  return err;
}
