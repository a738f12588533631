// One queue per key: work on the same incident runs in order, different incidents in parallel.
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();

  push(key: string, work: () => Promise<void>): void {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work).finally(() => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
    this.tails.set(key, next);
  }

  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.allSettled([...this.tails.values()]);
  }
}
