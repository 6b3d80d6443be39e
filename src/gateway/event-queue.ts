// A push-fed async iterator: one per subscriber. The producer pushes values,
// then completes it or fails it; the consumer (graphql's subscribe, through
// graphql-ws) pulls. Values pushed before a completion or failure are still
// delivered first. `return()` from the consumer (the client unsubscribed,
// the socket closed) ends it at once and tells the producer, once.

export interface EventQueue<T> {
  readonly iterator: AsyncIterableIterator<T>;
  push(value: T): void;
  /** Ends the stream after what is queued. */
  complete(): void;
  /** Ends the stream with an error after what is queued. */
  fail(error: unknown): void;
  /** False once completed, failed or returned. */
  readonly open: boolean;
}

export function createEventQueue<T>(onClose: () => void): EventQueue<T> {
  const values: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let waitingReject: ((error: unknown) => void) | undefined;
  let ended = false;
  let failure: { error: unknown } | undefined;
  let closeCalled = false;

  const close = () => {
    if (closeCalled) return;
    closeCalled = true;
    onClose();
  };

  const settleWaiting = () => {
    if (!waiting) return;
    const resolve = waiting;
    const reject = waitingReject;
    waiting = undefined;
    waitingReject = undefined;
    if (values.length > 0) resolve({ value: values.shift() as T, done: false });
    else if (failure) {
      const { error } = failure;
      failure = undefined;
      reject?.(error);
    } else resolve({ value: undefined, done: true });
  };

  const iterator: AsyncIterableIterator<T> = {
    next() {
      if (values.length > 0) return Promise.resolve({ value: values.shift() as T, done: false });
      if (failure) {
        const { error } = failure;
        failure = undefined;
        return Promise.reject(error);
      }
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => {
        waiting = resolve;
        waitingReject = reject;
      });
    },
    return() {
      ended = true;
      values.length = 0;
      failure = undefined;
      settleWaiting();
      close();
      return Promise.resolve({ value: undefined, done: true });
    },
    throw(error?: unknown) {
      ended = true;
      values.length = 0;
      settleWaiting();
      close();
      return Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };

  return {
    iterator,
    get open() {
      return !ended;
    },
    push(value) {
      if (ended) return;
      values.push(value);
      settleWaiting();
    },
    complete() {
      if (ended) return;
      ended = true;
      settleWaiting();
      close();
    },
    fail(error) {
      if (ended) return;
      ended = true;
      failure = { error };
      settleWaiting();
      close();
    },
  };
}
