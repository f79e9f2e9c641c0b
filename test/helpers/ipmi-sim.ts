/**
 * ipmi_sim (Debian openipmi) as a real RMCP+ BMC on 127.0.0.1, and ipmitool as the reference client.
 * Two set-ups:
 * - 'vm': power is a process ipmi_sim starts and kills (`startcmd`, as with a QEMU guest); it has no boot
 *   device control, so Set System Boot Options parameter 5 is answered "invalid data field" (CCh);
 * - 'chassis-control': power and boot device go through a chassis control program (a shell script keeping
 *   them in files), as ipmi_sim's own ipmi_sim_chassiscontrol example; parameter 5 then works.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './tools.ts';

export interface IpmiSim {
  port: number;
  dir: string;
  /** The boot device the chassis control program was last given ('chassis-control' only). */
  bootDevice(): string | null;
  stop(): Promise<void>;
}

export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const CHASSIS_SCRIPT = `#!/bin/sh
# ipmi_sim chassis control (lanserv/ipmi_sim_chassiscontrol's protocol): <device> get|set parm [val] ...
dir=$(dirname "$0")
shift
op=$1; shift
if [ "$op" = get ]; then
  for p in "$@"; do
    case $p in
      power) echo "power:$(cat "$dir/power" 2>/dev/null || echo 0)" ;;
      boot) echo "boot:$(cat "$dir/boot" 2>/dev/null || echo default)" ;;
      *) echo "Invalid parameter: $p"; exit 1 ;;
    esac
  done
  exit 0
fi
while [ $# -gt 0 ]; do
  p=$1; v=$2; shift 2
  case $p in
    power) echo "$v" > "$dir/power" ;;
    boot) echo "$v" > "$dir/boot" ;;
    reset) ;;
    identify) shift ;;
    *) echo "Invalid parameter: $p"; exit 1 ;;
  esac
done
`;

export interface IpmiSimOptions {
  setup: 'vm' | 'chassis-control';
  user?: string;
  password?: string;
  /** Run inside this network namespace (its own 127.0.0.1); the chassis program's children run there too. */
  netns?: string;
  /** A chassis control program of the test's own (the protocol of CHASSIS_SCRIPT), written as chassis.sh. */
  chassisScript?: string;
}

export async function startIpmiSim(o: IpmiSimOptions): Promise<IpmiSim> {
  const dir = mkdtempSync(join(tmpdir(), 'rackboot-ipmi-sim-'));
  mkdirSync(join(dir, 'state'));
  const port = await freeUdpPort();
  const power =
    o.setup === 'vm'
      ? // The serial VM interface gives ipmi_sim power control; startcmd is "the machine" while it runs.
        `  serial 15 127.0.0.1 ${await freeTcpPort()} codec VM\n  startcmd "${join(dir, 'machine.sh')}"\n  startnow false\n  poweroff_wait 0\n  kill_wait 1\n`
      : `  chassis_control "${join(dir, 'chassis.sh')} 0x20"\n`;
  // "The machine": runs until ipmi_sim powers it off, and never outlives ipmi_sim.
  writeFileSync(join(dir, 'machine.sh'), '#!/bin/sh\nwhile kill -0 $PPID 2>/dev/null; do sleep 0.5; done\n');
  chmodSync(join(dir, 'machine.sh'), 0o755);
  if (o.setup === 'chassis-control') {
    writeFileSync(join(dir, 'chassis.sh'), o.chassisScript ?? CHASSIS_SCRIPT);
    chmodSync(join(dir, 'chassis.sh'), 0o755);
  }
  writeFileSync(
    join(dir, 'lan.conf'),
    `name "rackboot"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 ${port}
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abcdef
  endlan
${power}  user 2 true "${o.user ?? 'admin'}" "${o.password ?? 's3cret'}" admin 10 none md2 md5 straight
`,
  );
  writeFileSync(join(dir, 'sim.emu'), 'mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02\nmc_enable 0x20\n');
  const prefix = o.netns ? ['ip', 'netns', 'exec', o.netns] : [];
  const argv = [...prefix, 'ipmi_sim', '-c', join(dir, 'lan.conf'), '-f', join(dir, 'sim.emu'), '-s', join(dir, 'state'), '-n'];
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  // Ready when ipmitool gets an answer to the first step (no session needed for the channel capabilities).
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`ipmi_sim exited: ${output}`);
    const tool = [...prefix, 'ipmitool'];
    const r = await run(tool[0]!, [...tool.slice(1), '-I', 'lanplus', '-H', '127.0.0.1', '-p', String(port), '-U', o.user ?? 'admin', '-P', o.password ?? 's3cret', '-C', '3', '-N', '1', '-R', '1', 'chassis', 'power', 'status']).catch(() => null);
    if (r) break;
    if (Date.now() > deadline) throw new Error(`ipmi_sim did not answer on ${port}: ${output}`);
    await new Promise((res) => setTimeout(res, 200));
  }
  return {
    port,
    dir,
    bootDevice() {
      try {
        return readFileSync(join(dir, 'boot'), 'utf8').trim();
      } catch {
        return null;
      }
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      // The startcmd child (machine.sh) ends by itself once ipmi_sim is gone.
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface IpmitoolResult {
  ok: boolean;
  stdout: string;
  stderr: string;
  /** Each ">> Sending IPMI command payload" of a -vvvv run: netFn, cmd, data hex. */
  sent: [number, number, string][];
}

/** Runs ipmitool -I lanplus against 127.0.0.1:port; `verbose` adds -vvvv and parses what it sent. */
export async function ipmitool(port: number, args: string[], o: { cipher?: number; user?: string; password?: string; verbose?: boolean } = {}): Promise<IpmitoolResult> {
  const argv = ['-I', 'lanplus', '-H', '127.0.0.1', '-p', String(port), '-U', o.user ?? 'admin', '-P', o.password ?? 's3cret', '-C', String(o.cipher ?? 3), '-N', '1', '-R', '2'];
  if (o.verbose) argv.push('-vvvv');
  const result = await run('ipmitool', [...argv, ...args]).then(
    (r) => ({ ok: true, stdout: r.stdout, stderr: r.stderr }),
    (e: { stdout?: string; stderr?: string }) => ({ ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
  );
  const sent: [number, number, string][] = [];
  const re = />> Sending IPMI command payload\n>>\s+netfn\s+: 0x([0-9a-f]+)\n>>\s+command : 0x([0-9a-f]+)\n>>\s+data\s+:((?: 0x[0-9a-f]{2})*)/g;
  for (const m of `${result.stdout}\n${result.stderr}`.matchAll(re)) {
    sent.push([parseInt(m[1]!, 16), parseInt(m[2]!, 16), m[3]!.trim().split(/\s+/).filter(Boolean).map((b) => b.slice(2)).join('')]);
  }
  return { ...result, sent };
}
