/**
 * Turns a listener-style event source into an async iterator for a subscription: events queue until
 * read (bounded, dropping the oldest when a reader is too slow), and return() unsubscribes at once.
 * With a lifeline, the feed ends when the key stops working or the gateway goes away: its last value
 * is then a FeedEnded, which the field's resolver throws (`unlessEnded`) so the client gets the error.
 *
 * @example
 *   subscribe: (_root, _args, ctx) => feed<Row>((push) => usage.onRecord(push), { lifeline: ctx.lifeline({ endsOnGoAway: true }) }),
 *   resolve: (row) => unlessEnded(row),
 */
import { isGatewayError } from '../errors.ts';
import type { Lifeline } from './lifeline.ts';

/** The last value of a feed that its lifeline ended with an error. */
export class FeedEnded {
  constructor(readonly reason: unknown) {}
}

/** For a subscription's resolve: the value, or the reason its feed ended, thrown as the client's error. */
export function unlessEnded<T>(value: T | FeedEnded): T {
  if (value instanceof FeedEnded) throw value.reason;
  return value;
}

export function feed<T>(
  subscribe: (push: (value: T) => void) => () => void,
  { maxQueue = 1000, lifeline }: { maxQueue?: number; lifeline?: Lifeline } = {},
): AsyncIterableIterator<T | FeedEnded> {
  const queue: T[] = [];
  let waiting: ((r: IteratorResult<T | FeedEnded>) => void) | undefined;
  let done = false;
  let last: FeedEnded | undefined;

  const stop = () => {
    if (done) return;
    done = true;
    unsubscribe();
    lifeline?.signal.removeEventListener('abort', onEnd);
    lifeline?.close();
    queue.length = 0;
  };
  // A GatewayError (key no longer valid, going away) is reported; the client's own abort just ends the feed.
  function onEnd() {
    const reason = lifeline?.signal.reason;
    const ended = isGatewayError(reason) ? new FeedEnded(reason) : undefined;
    const w = waiting;
    waiting = undefined;
    stop();
    if (w) w(ended ? { value: ended, done: false } : { value: undefined, done: true });
    else last = ended;
  }

  const unsubscribe = subscribe((value) => {
    if (done) return;
    if (waiting) {
      if (lifeline && !lifeline.check()) return; // onEnd has answered the reader
      const w = waiting;
      waiting = undefined;
      w({ value, done: false });
      return;
    }
    queue.push(value);
    if (queue.length > maxQueue) queue.shift();
  });
  if (lifeline?.signal.aborted) onEnd();
  else lifeline?.signal.addEventListener('abort', onEnd, { once: true });

  const finish = (): Promise<IteratorResult<T | FeedEnded>> => {
    last = undefined;
    stop();
    waiting?.({ value: undefined, done: true });
    waiting = undefined;
    return Promise.resolve({ value: undefined, done: true });
  };
  return {
    next() {
      if (queue.length && lifeline) lifeline.check(); // may end the feed (onEnd) before this event goes out
      if (last) {
        const value = last;
        last = undefined;
        return Promise.resolve({ value, done: false });
      }
      if (queue.length) return Promise.resolve({ value: queue.shift()!, done: false });
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => (waiting = resolve));
    },
    return: finish,
    throw(err) {
      void finish();
      return Promise.reject(err);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
