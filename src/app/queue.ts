// One queue per key: work on the same incident runs in order, different incidents in parallel.
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Queues work behind earlier work on the same key; resolves with its result when it is done. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.allSettled([...this.tails.values()]);
  }
}
