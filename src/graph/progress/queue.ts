/** A push-fed async iterator: one subscriber's events, buffered until it pulls them. */

/** The producing side of an event queue, and the iterator its consumer reads. */
export interface EventQueue<T> {
  /** Queues a value (ignored once ended). */
  push(value: T): void;
  /** Ends the iterator after the values already queued. */
  end(): void;
  readonly iterator: AsyncIterableIterator<T>;
}

/** Creates a queue; `onClose` runs once, when the consumer stops reading or the queue has ended and drained. */
export function createEventQueue<T>(onClose: () => void): EventQueue<T> {
  const values: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let ended = false;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    onClose();
  };
  const done = (): IteratorResult<T> => ({ value: undefined, done: true });
  const iterator: AsyncIterableIterator<T> = {
    next() {
      const value = values.shift();
      if (value !== undefined) return Promise.resolve({ value, done: false });
      if (ended) {
        close();
        return Promise.resolve(done());
      }
      return new Promise((resolve) => (waiting = resolve));
    },
    return() {
      ended = true;
      values.length = 0;
      close();
      const resolve = waiting;
      waiting = undefined;
      resolve?.(done());
      return Promise.resolve(done());
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return {
    push(value) {
      if (ended) return;
      const resolve = waiting;
      waiting = undefined;
      if (resolve) resolve({ value, done: false });
      else values.push(value);
    },
    end() {
      if (ended) return;
      ended = true;
      const resolve = waiting;
      waiting = undefined;
      if (resolve) {
        close();
        resolve(done());
      }
    },
    iterator,
  };
}
