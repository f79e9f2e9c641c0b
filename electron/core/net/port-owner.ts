/**
 * Which program holds a port rackboot needs (issue 9 pre-flight: "name the process holding one where the OS
 * tells"). Linux: the socket's inode from /proc/net/{udp,udp6,tcp,tcp6}, then the process whose fd links to
 * `socket:[inode]`. Reading other users' fds needs root, which binding port 67 needs anyway; elsewhere, or
 * when the OS does not tell, null.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface PortOwner {
  pid: number;
  name: string;
}

function socketInodes(proto: 'udp' | 'tcp', port: number): Set<string> {
  const out = new Set<string>();
  for (const file of [`/proc/net/${proto}`, `/proc/net/${proto}6`]) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const state = cols[3];
      const inode = cols[9];
      if (!local || !inode || inode === '0') continue;
      // TCP: only listening sockets (state 0A) hold a server port.
      if (proto === 'tcp' && state !== '0A') continue;
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) out.add(inode);
    }
  }
  return out;
}

export function portOwner(proto: 'udp' | 'tcp', port: number): PortOwner | null {
  if (process.platform !== 'linux') return null;
  const inodes = socketInodes(proto, port);
  if (inodes.size === 0) return null;
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  for (const pid of pids) {
    if (Number(pid) === process.pid) continue;
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target = '';
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1]!)) {
        let name = '?';
        try {
          name = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch {
          // Gone meanwhile.
        }
        return { pid: Number(pid), name };
      }
    }
  }
  return null;
}
