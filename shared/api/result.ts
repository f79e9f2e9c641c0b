import { RackbootError, type ApiError } from './errors.ts';

/** Errors cross every transport as values, never as thrown exceptions. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const err = (code: ApiError['code'], message: string): Result<never> => ({ ok: false, error: { code, message } });

/** Turns anything thrown inside the core into an error value; unexpected errors become INTERNAL. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof RackbootError) return { code: e.code, message: e.message };
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
}
