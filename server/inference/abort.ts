/**
 * Client signals the engine may abort itself. A surface that makes its client's signal here lets the
 * engine end a whole-answer run (its key revoked or expired) by aborting that signal, instead of
 * making a second AbortSignal for every request: each costs microseconds on the hot path.
 */
const controllers = new WeakMap<AbortSignal, AbortController>();

export function createAbortable(): AbortController {
  const controller = new AbortController();
  controllers.set(controller.signal, controller);
  return controller;
}

/** Aborts `signal` with `reason` if it was made by createAbortable; false otherwise. */
export function abortSignal(signal: AbortSignal, reason: unknown): boolean {
  const controller = controllers.get(signal);
  if (!controller) return false;
  controller.abort(reason);
  return true;
}

export function isAbortable(signal: AbortSignal): boolean {
  return controllers.has(signal);
}
