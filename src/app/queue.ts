// One queue per key: work on the same incident runs in order, different incidents in parallel.
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Queues work behind earlier work on the same key; resolves when this work is done. */
  push(key: string, work: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work).finally(() => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
    this.tails.set(key, next);
    return next;
  }

  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.allSettled([...this.tails.values()]);
  }
}
