/** Waiting for a line (or any item) that matches, among those read so far and those still to come. */

export interface MatchWaiter<T> {
  /** Call after each item pushed onto the list: settles the waits it satisfies. */
  notify(): void;
  /**
   * Resolves with the first item (already read or still to come) that matches; rejects with `timeoutError()`,
   * built when the time is up, after `ms`.
   */
  waitForMatch(match: (item: T) => boolean, ms: number, timeoutError: () => Error): Promise<T>;
}

/** Waits on `items`, a list its owner pushes to (and then calls `notify`). */
export function matchWaiter<T>(items: readonly T[]): MatchWaiter<T> {
  const waiters = new Set<() => void>();
  return {
    notify() {
      for (const w of [...waiters]) w();
    },
    waitForMatch(match, ms, timeoutError) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = items.find(match);
          if (!hit) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(timeoutError());
        }, ms);
        waiters.add(check);
        check();
      });
    },
  };
}
