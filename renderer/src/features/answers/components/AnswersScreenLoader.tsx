/**
 * The Answer files screen, loaded when first opened: the profile schemas, the YAML library and the time zone
 * table stay out of the bundle every other screen waits for.
 */
import { lazy, Suspense } from 'react';

const AnswersScreen = lazy(() => import('./AnswersScreen.tsx').then((m) => ({ default: m.AnswersScreen })));

export function AnswersScreenLoader() {
  return (
    <Suspense fallback={<p className="empty">Loading answer files…</p>}>
      <AnswersScreen />
    </Suspense>
  );
}
