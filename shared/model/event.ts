import { z } from 'zod';

export const SERVICES = ['core', 'dhcp', 'tftp', 'http', 'iso', 'api'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** A typed event (CONVENTIONS §4): the renderer never parses log text. */
export const BootEventSchema = z.object({
  /** Monotonic per-launch sequence number, so clients can ask for what they missed. */
  seq: z.number().int().nonnegative(),
  /** Milliseconds since the epoch. */
  ts: z.number(),
  service: z.enum(SERVICES),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  mac: z.string().optional(),
  ip: z.string().optional(),
  xid: z.number().int().optional(),
  iface: z.string().optional(),
  msg: z.string(),
  fields: z.record(z.string(), z.unknown()).default({}),
});
export type BootEvent = z.infer<typeof BootEventSchema>;
export type BootEventInput = Omit<BootEvent, 'seq' | 'ts' | 'fields'> & { fields?: Record<string, unknown> };
