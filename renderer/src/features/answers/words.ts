/** How the Answer files screen words families, times and issues. */
import type { AnswerFamily } from '../../../../shared/answers/answer-profile.ts';

export const FAMILY_LABELS: Record<AnswerFamily, string> = {
  kickstart: 'Kickstart (RHEL, Rocky, Alma, CentOS...)',
  autoinstall: 'Ubuntu autoinstall (user-data)',
  preseed: 'Debian preseed',
};

export const FAMILY_SHORT: Record<AnswerFamily, string> = { kickstart: 'kickstart', autoinstall: 'autoinstall', preseed: 'preseed' };

/** `14:32` today, `3 Mar 14:32` this year, `3 Mar 2025` before: short enough for a list column. */
export function formatWhen(ts: number, now: number = Date.now()): string {
  const d = new Date(ts);
  const n = new Date(now);
  const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (d.toDateString() === n.toDateString()) return time;
  const day = d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
  return d.getFullYear() === n.getFullYear() ? `${day} ${time}` : d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}

/** The full date and time, for a title attribute. */
export const formatFull = (ts: number): string => new Date(ts).toLocaleString();
