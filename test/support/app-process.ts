import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Environment, validateEnvironment } from '../../src/platform/config/environment';

const ROOT = resolve(__dirname, '..', '..');
/** The built entry point: `npm test` builds first, so children run what `npm run start:prod` runs. */
const MAIN = join(ROOT, 'dist', 'src', 'main.js');

/** Start-up takes 1-3 s on an idle machine (a fresh embedded database adds about 10 s); a busy one is far slower. */
export const START_TIMEOUT_MS = 120_000;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One JSON line pino writes at LOG_LEVEL=info. */
export interface LogLine {
  level: number;
  msg: string;
  context?: string;
}

const running = new Set<AppProcess>();
// Last resort when the test process itself ends early (a crash, --forceExit): no child outlives it.
process.once('exit', () => {
  for (const app of running) app.signal('SIGKILL');
});

/**
 * The built main.js in a child process, as an operator runs it: only the variables
 * given here (no inherited DATABASE_URL or NODE_ENV), and a fresh empty
 * working directory, so no developer's `.env` or `./data` takes part.
 */
export class AppProcess {
  readonly exited: Promise<ExitStatus>;
  private out = '';
  private err = '';
  private exitStatus: ExitStatus | undefined;
  private readonly lineListeners = new Set<(line: LogLine) => void>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly cwd: string,
  ) {
    let pending = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.out += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) this.emitLine(line);
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.err += chunk;
    });
    this.exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        running.delete(this);
        rmSync(cwd, { recursive: true, force: true });
        resolveExit(this.exitStatus);
      });
    });
  }

  /** `main`: another build of the app (by default this checkout's). */
  static spawn(env: Record<string, string>, main = MAIN): AppProcess {
    const cwd = mkdtempSync(join(tmpdir(), 'app-process-'));
    const child = spawn(process.execPath, [main], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new AppProcess(child, cwd);
    running.add(app);
    return app;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitStatus === undefined;
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves with the first log line whose `msg` matches; rejects if the process exits first. */
  waitForLog(pattern: RegExp, timeoutMs = START_TIMEOUT_MS): Promise<LogLine> {
    return new Promise((resolveLine, reject) => {
      const timer = setTimeout(
        () => finish(new Error(`no log line matching ${pattern} within ${timeoutMs} ms\n${this.lastOutput()}`)),
        timeoutMs,
      );
      const onLine = (line: LogLine): void => {
        if (pattern.test(line.msg)) finish(line);
      };
      const finish = (outcome: LogLine | Error): void => {
        clearTimeout(timer);
        this.lineListeners.delete(onLine);
        if (outcome instanceof Error) reject(outcome);
        else resolveLine(outcome);
      };
      this.lineListeners.add(onLine);
      void this.exited.then((status) =>
        finish(new Error(`exited (${JSON.stringify(status)}) before logging ${pattern}\n${this.lastOutput()}`)),
      );
    });
  }

  /** Resolves with how the process ended; rejects if it is still running after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ExitStatus> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the process at once if it is still running. */
  async kill(): Promise<void> {
    if (this.exitStatus) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** The end of what the process wrote, for failure messages. */
  private lastOutput(): string {
    const tail = (text: string): string => text.split('\n').slice(-10).join('\n');
    return `stdout (last lines):\n${tail(this.out)}\nstderr (last lines):\n${tail(this.err)}`;
  }

  private emitLine(text: string): void {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return;
    }
    if (typeof line.msg !== 'string') return;
    for (const listener of this.lineListeners) listener(line);
  }
}

export interface ListeningApp {
  app: AppProcess;
  baseUrl: string;
}

/**
 * The configuration the in-process test apps run with, for a child sharing
 * their database: the same first admin (test/support/environment.ts), and the
 * same DATA_DIR, where the audit signing key of development and tests lives.
 */
export function testAppEnvironment(): Record<string, string> {
  const known = new Set(Object.keys(new Environment()));
  const configured = Object.entries(process.env).filter(
    (entry): entry is [string, string] => known.has(entry[0]) && entry[1] !== undefined,
  );
  return { ...Object.fromEntries(configured), DATA_DIR: resolve(validateEnvironment(process.env).DATA_DIR) };
}

/** Spawns the built main.js (or `main`) on a free port and waits until it listens. */
export async function startAppProcess(env: Record<string, string>, main = MAIN): Promise<ListeningApp> {
  const app = AppProcess.spawn({ ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }, main);
  const listening = await app.waitForLog(/^Listening on /);
  const baseUrl = /^Listening on (http:\/\/\S+)/.exec(listening.msg)?.[1];
  if (!baseUrl) throw new Error(`cannot read the address from "${listening.msg}"`);
  return { app, baseUrl };
}

/** For afterEach/afterAll: no child outlives its test, whatever happened in it. */
export async function killAppProcesses(): Promise<void> {
  await Promise.all([...running].map((app) => app.kill()));
}
