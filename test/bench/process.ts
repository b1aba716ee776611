/**
 * A bot under measurement runs in a child process, so that its CPU time and memory are its own and not
 * the fake Bot API's or the load generator's. Both are read from /proc for the whole process tree (a
 * launcher such as tsx runs the program in a child of its own), so this is Linux only, like the machines
 * the figures are for.
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1 (the OS picks it; the listener is closed at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux
const PAGE_KB = 4;

interface ProcStat {
  pid: number;
  ppid: number;
  cpuMs: number;
  rssKb: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      pid,
      ppid: Number(fields[1]),
      cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS,
      rssKb: Number(fields[21]) * PAGE_KB,
    };
  } catch {
    return undefined;
  }
}

/** The process and its descendants. */
function tree(root: number): ProcStat[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(Number(name)))
    .filter((s): s is ProcStat => s !== undefined);
  const out: ProcStat[] = [];
  const wanted = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of all) {
      if (!wanted.has(s.pid) && wanted.has(s.ppid)) {
        wanted.add(s.pid);
        grew = true;
      }
    }
  }
  for (const s of all) if (wanted.has(s.pid)) out.push(s);
  return out;
}

export interface Usage {
  /** CPU time (user + system) of the whole tree, in ms. */
  cpuMs: number;
  /** Resident memory of the whole tree, in MB. */
  rssMb: number;
  /** Resident memory of the process that runs the program (the tree's largest), in MB. */
  mainRssMb: number;
}

/** CPU and memory of a process tree now. */
export function usage(pid: number): Usage {
  const procs = tree(pid);
  const rss = procs.map((p) => p.rssKb);
  return {
    cpuMs: procs.reduce((sum, p) => sum + p.cpuMs, 0),
    rssMb: rss.reduce((a, b) => a + b, 0) / 1024,
    mainRssMb: Math.max(0, ...rss) / 1024,
  };
}

const scripts = (root: string) =>
  (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/**
 * Runs package.json's "prestart" (a build step, if there is one) once, as `npm start` would before the
 * first start; its time is not start-up time, as a deployment builds once and starts many times.
 */
export function prepareStart(root: string): void {
  const prestart = scripts(root).prestart;
  if (!prestart) return;
  execSync(prestart, {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` },
  });
}

/**
 * The command `npm start` runs (package.json's "start"), resolved to an executable and its arguments, so
 * the benchmark starts the bot exactly as production does but without npm's own process.
 */
export function startCommand(root: string): { command: string; args: string[] } {
  const [first = '', ...args] = (scripts(root).start ?? '').split(/\s+/).filter(Boolean);
  const command = first === 'node' ? process.execPath : join(root, 'node_modules', '.bin', first);
  return { command, args };
}

/** Spawns a program with only the given environment (plus PATH and HOME); its output is kept for errors. */
export function spawnQuiet(command: string, args: string[], env: Record<string, string>, cwd: string) {
  // For profiling a bot under load: BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=…' goes to a bot run by node.
  const nodeArgs = command === process.execPath ? (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean) : [];
  const child: ChildProcess = spawn(command, [...nodeArgs, ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // For looking into a run: BENCH_BOT_LOG=/tmp/bot.log keeps all the bot's output there.
  const logTo = process.env.BENCH_BOT_LOG;
  if (logTo) {
    // Two streams into one file: neither may end it (the other's last lines would then be written after its end).
    const file = createWriteStream(logTo, { flags: 'a' });
    child.stdout?.pipe(file, { end: false });
    child.stderr?.pipe(file, { end: false });
    child.once('close', () => file.end());
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    /** SIGTERM, then SIGKILL after 5 s; resolves when it has exited. */
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
