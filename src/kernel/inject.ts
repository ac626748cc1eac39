/**
 * Packet injection: a long-lived python3 process inside the client namespace writes raw Ethernet
 * frames to the client end of a veth pair through an AF_PACKET socket. The frames themselves are
 * built in TypeScript (frame.ts), so the helper knows nothing about headers: it reads
 * `send IFNAME HEX` lines and acknowledges `sync N` lines once every earlier frame was written.
 *
 * Why python3: Node has no AF_PACKET sockets; python3's standard library has them, Debian ships it
 * everywhere (python3-minimal), it needs no compiler, and one process serves a whole run, so a batch
 * of packets costs one pipe write instead of one process per packet. See docs/kernel-testing.md.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { inNs } from './exec.js';

/** The whole helper. Frames arrive hex-encoded; nothing else is parsed. */
export const INJECTOR_SOURCE = `
import socket, sys
socks = {}
out = sys.stdout
for line in sys.stdin:
    parts = line.split()
    if not parts:
        continue
    try:
        if parts[0] == 'send' and len(parts) == 3:
            s = socks.get(parts[1])
            if s is None:
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                s.bind((parts[1], 0))
                socks[parts[1]] = s
            frame = bytes.fromhex(parts[2])
            if s.send(frame) != len(frame):
                out.write('err short write on %s\\n' % parts[1])
                out.flush()
        elif parts[0] == 'sync' and len(parts) == 2:
            out.write('ok %s\\n' % parts[1])
            out.flush()
        else:
            out.write('err bad command %r\\n' % parts[0])
            out.flush()
    except Exception as e:
        out.write('err %s\\n' % str(e).replace('\\n', ' '))
        out.flush()
`;

/** A frame to write, on the client-side interface it leaves from. */
export interface OutgoingFrame {
  readonly ifname: string;
  readonly hex: string;
}

export class Injector {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private readonly errors: string[] = [];
  private seq = 0;
  private exited: string | undefined;

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.child = child;
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => this.onLine(line));
    const stderr: string[] = [];
    child.stderr.on('data', (b: Buffer) => stderr.push(b.toString('utf8')));
    child.on('error', (e) => this.fail(`could not start the packet injector (python3): ${e.message}`));
    child.on('close', (code) => this.fail(`packet injector exited (code ${String(code)}): ${stderr.join('').trim()}`));
    child.stdin.on('error', () => undefined);
  }

  /** Starts the helper inside `ns`. */
  static start(ns: string, python = 'python3'): Injector {
    const argv = inNs(ns, [python, '-u', '-c', INJECTOR_SOURCE]);
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    return new Injector(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private onLine(line: string): void {
    const ok = /^ok (\d+)$/.exec(line);
    if (ok) {
      const n = Number(ok[1]);
      const w = this.waiting.get(n);
      if (w) {
        this.waiting.delete(n);
        if (this.errors.length > 0) w.reject(new Error(`packet injector: ${this.errors.splice(0).join('; ')}`));
        else w.resolve();
      }
      return;
    }
    this.errors.push(line.replace(/^err /, ''));
  }

  private fail(message: string): void {
    if (this.exited !== undefined) return;
    this.exited = message;
    for (const w of this.waiting.values()) w.reject(new Error(message));
    this.waiting.clear();
  }

  /** Writes the frames in order; resolves once the helper has sent all of them. */
  send(frames: readonly OutgoingFrame[], timeoutMs = 10_000): Promise<void> {
    if (this.exited !== undefined) return Promise.reject(new Error(this.exited));
    const n = ++this.seq;
    const text = frames.map((f) => `send ${f.ifname} ${f.hex}\n`).join('') + `sync ${n}\n`;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(n);
        reject(new Error(`packet injector did not confirm ${frames.length} frames within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(n, {
        resolve: () => { clearTimeout(timer); resolve(); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.child.stdin.write(text);
    });
  }

  /** Ends the helper (closing its input) and kills it if it lingers. */
  async stop(): Promise<void> {
    if (this.exited !== undefined) return;
    const done = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await done;
    clearTimeout(timer);
  }
}
