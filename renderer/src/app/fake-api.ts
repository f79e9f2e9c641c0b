/**
 * For tests: a fake core typed by the contract. The methods a test gives answer; every other one answers an
 * INTERNAL error value (so a test sees at once which call it did not expect). `calls` records each method
 * called, in order; `push` feeds the event and status streams.
 */
import type { ApiClient, StreamName } from '../../../shared/api/contract.ts';
import type { Result } from '../../../shared/api/result.ts';

export const ok = <T>(value: T): Promise<Result<T>> => Promise.resolve({ ok: true, value });

export function fakeApi(methods: Partial<Omit<ApiClient, 'on'>>): { api: ApiClient; calls: string[]; push(stream: StreamName, data: unknown): void } {
  const given = methods as Record<string, ((input: unknown) => Promise<Result<unknown>>) | undefined>;
  const calls: string[] = [];
  const listeners = new Map<string, Set<(d: unknown) => void>>();
  const api = new Proxy({} as ApiClient, {
    get(_, name: string) {
      if (name === 'on') {
        return (stream: string, l: (d: unknown) => void) => {
          const set = listeners.get(stream) ?? new Set();
          listeners.set(stream, set.add(l));
          return () => set.delete(l);
        };
      }
      return (input: unknown) => {
        calls.push(name);
        return given[name]?.(input) ?? Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: `${name} is not faked` } });
      };
    },
  });
  return { api, calls, push: (stream, data) => listeners.get(stream)?.forEach((l) => l(data)) };
}
