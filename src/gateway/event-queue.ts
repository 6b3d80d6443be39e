// A push-fed async iterator: one per subscriber. The producer pushes values,
// then completes it or fails it; the consumer (graphql's subscribe, through
// graphql-ws) pulls. Values pushed before a completion or failure are still
// delivered first. `return()` from the consumer (the client unsubscribed,
// the socket closed) ends it at once and tells the producer, once.
//
// A class, not closures: thousands of idle subscribers each hold one, and
// methods on the prototype cost nothing per instance. The buffer is only
// allocated when a value arrives before the consumer asks for it.

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

interface Waiting<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
}

class PushQueue<T> implements EventQueue<T>, AsyncIterableIterator<T> {
  private values: T[] | undefined;
  private waiting: Waiting<T> | undefined;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private onClose: (() => void) | undefined;

  constructor(onClose: () => void) {
    this.onClose = onClose;
  }

  get iterator(): AsyncIterableIterator<T> {
    return this;
  }

  get open(): boolean {
    return !this.ended;
  }

  push(value: T): void {
    if (this.ended) return;
    (this.values ??= []).push(value);
    this.settleWaiting();
  }

  complete(): void {
    if (this.ended) return;
    this.ended = true;
    this.settleWaiting();
    this.close();
  }

  fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = { error };
    this.settleWaiting();
    this.close();
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.shift();
    if (value) return Promise.resolve(value);
    if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.ended = true;
    this.values = undefined;
    this.failure = undefined;
    this.settleWaiting();
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.ended = true;
    this.values = undefined;
    this.settleWaiting();
    this.close();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  /** The oldest queued value as an iterator result, if any. */
  private shift(): IteratorResult<T> | undefined {
    if (!this.values || this.values.length === 0) return undefined;
    const value = this.values.shift() as T;
    if (this.values.length === 0) this.values = undefined;
    return { value, done: false };
  }

  private settleWaiting(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    this.waiting = undefined;
    const value = this.shift();
    if (value) waiting.resolve(value);
    else if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      waiting.reject(error);
    } else waiting.resolve({ value: undefined, done: true });
  }

  private close(): void {
    const onClose = this.onClose;
    if (!onClose) return;
    this.onClose = undefined;
    onClose();
  }
}

export function createEventQueue<T>(onClose: () => void): EventQueue<T> {
  return new PushQueue<T>(onClose);
}
