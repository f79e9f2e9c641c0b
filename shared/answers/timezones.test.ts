import { describe, expect, it } from 'vitest';
import { TIMEZONES, isKnownTimezone } from './timezones.ts';

const PROFILE_TIMEZONE = /^(UTC|[A-Z][A-Za-z_+-]*(\/[A-Za-z0-9_+-]+){0,2})$/; // profile.ts TIMEZONE

describe('isKnownTimezone', () => {
  it.each(['UTC', 'Etc/UTC', 'Europe/Berlin', 'Asia/Shanghai', 'America/Argentina/Buenos_Aires', 'America/Indiana/Indianapolis', 'Asia/Calcutta', 'US/Eastern', 'Etc/GMT-14'])(
    'knows %s',
    (tz) => {
      expect(isKnownTimezone(tz)).toBe(true);
    },
  );

  it.each([
    ['a typo', 'Europe/Berln'],
    ['a made-up area', 'Mars/Olympus_Mons'],
    ['the wrong case', 'europe/berlin'],
    ['a POSIX rule', 'EST5EDT'],
    ['tzdata placeholder', 'Factory'],
    ['an empty string', ''],
  ])('refuses %s (%s)', (_why, tz) => {
    expect(isKnownTimezone(tz)).toBe(false);
  });

  it('knows every zone Node (ICU) knows', () => {
    expect(Intl.supportedValuesOf('timeZone').filter((tz) => !isKnownTimezone(tz))).toEqual([]);
  });

  it('holds only names the profile schema accepts, sorted, once each', () => {
    expect(TIMEZONES.filter((tz) => !PROFILE_TIMEZONE.test(tz))).toEqual([]);
    expect([...TIMEZONES].sort()).toEqual(TIMEZONES);
    expect(new Set(TIMEZONES).size).toBe(TIMEZONES.length);
    expect(TIMEZONES.length).toBeGreaterThan(550);
  });
});
