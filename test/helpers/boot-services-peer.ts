/**
 * Runs inside a test network namespace (`ip netns exec NS node --import tsx boot-services-peer.ts '{json}'`):
 * starts rackboot's TFTP and HTTP services on one address, tied to one NIC when `iface` is given, serving the
 * files under `root`, and speaks JSON lines.
 *   argv[2]   {address, iface?, tftpPort, httpPort, root}
 *   stdout    first {started: {tftp: {port, status}, http: {port, status}}} or
 *             {error: {service, code, message, status}} (then it exits), then {event} per service event
 *   SIGTERM   stops both services and exits
 */
import { directoryTree } from '../../electron/core/files/tree.ts';
import { createHttpService } from '../../electron/core/http/service.ts';
import { createTftpService } from '../../electron/core/tftp/service.ts';
import type { BootEventInput } from '../../shared/model/event.ts';

interface Args {
  address: string;
  iface?: string | null;
  tftpPort: number;
  httpPort: number;
  root: string;
}

const out = (value: unknown) => process.stdout.write(JSON.stringify(value) + '\n');
const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const tree = directoryTree(args.root);
const emit = (event: BootEventInput) => out({ event });
const tftp = createTftpService({ address: args.address, iface: args.iface, port: args.tftpPort, tree, emit, initialTimeoutMs: 300 });
const http = createHttpService({ address: args.address, iface: args.iface, port: args.httpPort, tree, emit });

const stop = async () => {
  await Promise.all([tftp.stop(), http.stop()]);
  process.exit(0);
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => void stop());

for (const [name, service] of [['tftp', tftp], ['http', http]] as const) {
  try {
    await service.start();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    out({ error: { service: name, code: err.code ?? null, message: err.message, status: service.status() } });
    await stop();
  }
}
out({ started: { tftp: { port: tftp.port(), status: tftp.status() }, http: { port: http.port(), status: http.status() } } });
