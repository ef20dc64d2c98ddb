/**
 * Weighted fair queueing across API keys (start-time fair queueing): each key with waiting requests
 * gets slots in proportion to its weight, a key's own requests go FIFO, and a key at its concurrency
 * cap is passed over until one of its requests ends. Pure bookkeeping: the scheduler decides where a
 * request can run.
 */

export interface KeyState {
  id: string;
  weight: number;
  /** Most requests running at once (Infinity for no cap). */
  cap: number;
  running: number;
  /** FIFO of waiting requests, from `head` on (shifting an array per dispatch costs more than an index). */
  waiting: Waiter[];
  head: number;
  /** Virtual finish tag of the key's last dispatched request. */
  finish: number;
  backlogged: boolean;
}

export interface Waiter<T = unknown> {
  key: KeyState;
  /** What the scheduler needs to place it (the model). */
  item: T;
  enqueuedAt: number;
  /** Removed from the queue (dispatched, timed out or cancelled). */
  done: boolean;
}

export interface FairQueue<T> {
  /** Waiting requests, all keys. */
  readonly size: number;
  key(id: string, weight: number, cap: number | null): KeyState;
  push(waiter: Waiter<T>): void;
  /** Takes a waiter out (timeout, cancel); false when it was already gone. */
  remove(waiter: Waiter<T>): boolean;
  /** The next waiter to run among keys under their cap whose head request `canRun`, or undefined; it is dequeued. */
  next(canRun: (item: T) => boolean): Waiter<T> | undefined;
  /** About how many requests run before this one, plus one (for "queued position=N"). */
  position(waiter: Waiter<T>): number;
}

export function createFairQueue<T>(): FairQueue<T> {
  const keys = new Map<string, KeyState>();
  const active: KeyState[] = [];
  // The virtual time: the start tag of the request dispatched last.
  let now = 0;
  let size = 0;

  const queued = (k: KeyState) => k.waiting.length - k.head;

  const idle = (k: KeyState) => {
    k.backlogged = false;
    k.waiting.length = 0;
    k.head = 0;
    const i = active.indexOf(k);
    if (i >= 0) active.splice(i, 1);
  };

  return {
    get size() {
      return size;
    },
    key(id, weight, cap) {
      let k = keys.get(id);
      if (!k) {
        k = { id, weight, cap: cap ?? Infinity, running: 0, waiting: [], head: 0, finish: 0, backlogged: false };
        keys.set(id, k);
      } else {
        k.weight = weight;
        k.cap = cap ?? Infinity;
      }
      return k;
    },
    push(w) {
      const k = w.key;
      if (!k.backlogged) {
        // A key that was idle starts at the current virtual time: no credit for having waited nothing.
        k.finish = Math.max(k.finish, now);
        k.backlogged = true;
        active.push(k);
      }
      k.waiting.push(w);
      size++;
    },
    remove(w) {
      if (w.done) return false;
      w.done = true;
      const k = w.key;
      const i = k.waiting.indexOf(w, k.head);
      if (i >= 0) k.waiting.splice(i, 1);
      size--;
      if (queued(k) === 0) idle(k);
      return true;
    },
    next(canRun) {
      let best: KeyState | undefined;
      for (const k of active) {
        if (k.running >= k.cap) continue;
        if (best && k.finish >= best.finish) continue;
        if (!canRun(k.waiting[k.head].item as T)) continue;
        best = k;
      }
      if (!best) return undefined;
      const w = best.waiting[best.head++] as Waiter<T>;
      w.done = true;
      size--;
      now = best.finish;
      best.finish += 1 / best.weight;
      if (queued(best) === 0) idle(best);
      else if (best.head > 64 && best.head * 2 > best.waiting.length) {
        best.waiting.splice(0, best.head);
        best.head = 0;
      }
      return w;
    },
    position(w) {
      const k = w.key;
      const index = k.waiting.indexOf(w, k.head) - k.head;
      if (index < 0) return 0;
      const tag = k.finish + index / k.weight;
      let ahead = index;
      for (const o of active) {
        if (o === k) continue;
        ahead += Math.min(queued(o), Math.max(0, Math.ceil((tag - o.finish) * o.weight)));
      }
      return ahead + 1;
    },
  };
}
