// Preloaded into `rackboot serve` by the reliability tests (node --import): counts what would otherwise crash
// the process or vanish, one stderr line each. A rejection nobody handled is reported and the process goes
// on (so a fuzz run counts them all); an uncaught exception is reported and still ends the process (a crash).
import { writeSync } from 'node:fs';

const say = (kind, e) => {
  const text = e instanceof Error ? `${e.name}: ${e.message} ${(e.stack ?? '').split('\n').slice(1, 3).join(' ').trim()}` : String(e);
  writeSync(2, `rackboot-watchdog: ${kind}: ${text.replace(/\s+/g, ' ').slice(0, 500)}\n`);
};
process.on('unhandledRejection', (e) => say('unhandledRejection', e));
process.on('uncaughtExceptionMonitor', (e) => say('uncaughtException', e));
