/** Runs the real CLI (`electron/bin/rackboot.mjs`) as a child process, as a technician or script would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO = join(import.meta.dirname, '..', '..');
export const CLI = join(REPO, 'electron', 'bin', 'rackboot.mjs');

export function tempDir(prefix = 'rackboot-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface Running {
  proc: ChildProcess;
  /** The first stdout JSON line (the ready line for `serve`). */
  first: Record<string, unknown>;
  /** Every later stdout JSON line, as it arrives. */
  lines: Record<string, unknown>[];
  stderr(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns the CLI under node, optionally behind a wrapper such as `ip netns exec NS`. */
function spawnCli(args: string[], cmdPrefix: string[] = []): ChildProcess {
  const [cmd, ...pre] = [...cmdPrefix, process.execPath];
  return spawn(cmd!, [...pre, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the CLI to completion (for --help and refused flags). */
export function runCli(args: string[], opts: { timeoutMs?: number; cmdPrefix?: string[] } = {}): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const proc = spawnCli(args, opts.cmdPrefix);
    let stdout = '';
    let stderr = '';
    proc.stdout!.on('data', (d) => (stdout += d));
    proc.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`rackboot ${args.join(' ')} did not exit within ${opts.timeoutMs ?? 15000} ms; stderr: ${stderr}`));
    }, opts.timeoutMs ?? 15000);
    // 'close', not 'exit': only then have stdout and stderr been read to the end.
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running CLI command and waits for its first JSON line on stdout. */
export function startCli(args: string[], opts: { timeoutMs?: number; cmdPrefix?: string[] } = {}): Promise<Running> {
  return new Promise((resolve, reject) => {
    const proc = spawnCli(args, opts.cmdPrefix);
    let stderr = '';
    proc.stderr!.on('data', (d) => (stderr += d));
    const lines: Record<string, unknown>[] = [];
    let first: Record<string, unknown> | null = null;
    const exited = new Promise<number | null>((r) => proc.on('close', (code) => r(code)));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`no JSON line from rackboot ${args.join(' ')} within ${opts.timeoutMs ?? 15000} ms; stderr: ${stderr}`));
    }, opts.timeoutMs ?? 15000);
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const value = JSON.parse(line) as Record<string, unknown>;
      if (first) {
        lines.push(value);
        return;
      }
      first = value;
      clearTimeout(timer);
      resolve({
        proc,
        first,
        lines,
        stderr: () => stderr,
        async stop(signal = 'SIGTERM') {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
          return exited;
        },
      });
    });
    void exited.then((code) => {
      if (!first) {
        clearTimeout(timer);
        reject(new Error(`rackboot ${args.join(' ')} exited ${code} before its ready line; stderr: ${stderr}`));
      }
    });
  });
}
