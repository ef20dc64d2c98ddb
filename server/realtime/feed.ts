/**
 * Turns a listener-style event source into an async iterator for a subscription: events queue until
 * read (bounded, dropping the oldest when a reader is too slow), and return() unsubscribes at once.
 *
 * @example
 *   subscribe: () => feed<UsageInput>((push) => usage.onRecord(push))
 */
export function feed<T>(subscribe: (push: (value: T) => void) => () => void, { maxQueue = 1000 } = {}): AsyncIterableIterator<T> {
  const queue: T[] = [];
  let waiting: ((r: IteratorResult<T>) => void) | undefined;
  let done = false;
  const unsubscribe = subscribe((value) => {
    if (done) return;
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w({ value, done: false });
      return;
    }
    queue.push(value);
    if (queue.length > maxQueue) queue.shift();
  });
  const finish = (): Promise<IteratorResult<T>> => {
    if (!done) {
      done = true;
      unsubscribe();
      queue.length = 0;
      waiting?.({ value: undefined, done: true });
      waiting = undefined;
    }
    return Promise.resolve({ value: undefined, done: true });
  };
  return {
    next() {
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
