/**
 * A kernel session: one lab (namespaces + links), one trace monitor and one injector, reused for
 * many rulesets. For each ruleset: load it, then observe packets in conntrack-independent batches
 * (conntrack flushed before each), each batch closed by a sentinel frame on the sentinel link.
 * After the packets, the rules' counters must equal what the traces say, or the session fails
 * loudly (a lost trace event or a stray packet would otherwise pass unnoticed).
 */
import type { Packet } from '../model/packet.js';
import { planBatches } from './batch.js';
import { CommandError, nsRun, run, inNs } from './exec.js';
import { buildFrame, buildIpPacket, frameProblem, tagLimit, toHex } from './frame.js';
import { Injector } from './inject.js';
import { type Listing, parseListing, handleKey } from './listing.js';
import { type Lab, type LabOptions, createLab, SENTINEL_IF } from './netns.js';
import { HARNESS_TABLE, type Observation, TraceMonitor, outcomeOf } from './observe.js';
import type { Companion } from './model.js';
import { isNftJson, loadNftJson, zeroCounters } from './nft-load.js';

export type RulesetDialect = 'iptables' | 'ip6tables' | 'nftables';

export interface SessionOptions extends LabOptions {
  /** Packets per batch (default 48). */
  readonly batchSize?: number;
  /** Milliseconds to wait for a batch's traces (default 4000). */
  readonly batchTimeoutMs?: number;
}

export class HarnessError extends Error {
  override readonly name = 'HarnessError';
}

const SENTINEL_SRC = 0xc612fffen; // 198.18.255.254
const SENTINEL_DST = 0xc613fffdn; // 198.19.255.253

function harnessTable(): string {
  return [
    `table inet ${HARNESS_TABLE} {`,
    '  chain marks {',
    '  }',
    '  chain pre {',
    '    type filter hook prerouting priority -350; policy accept;',
    '    meta nftrace set 1',
    `    iifname "${SENTINEL_IF}" drop`,
    '    jump marks',
    '  }',
    '}',
    '',
  ].join('\n');
}

export class KernelSession {
  private tagSeq = 0;
  private sentinelSeq = 0;
  private listing: Listing | undefined;
  /** IP families the loaded ruleset filters, and the nft families whose counters it owns. */
  private loaded: { readonly ip: readonly ('ipv4' | 'ipv6')[]; readonly tables: readonly string[] } = { ip: [], tables: [] };
  /** Rule events seen since the last load, per handle key, for the counter check. */
  private traced = new Map<string, number>();
  private countersReliable = true;
  private marksInUse = false;

  private constructor(
    readonly lab: Lab,
    private readonly monitor: TraceMonitor,
    private readonly injector: Injector,
    private readonly opts: SessionOptions,
  ) {}

  /** Creates the lab and starts the monitor and injector; everything is removed again on failure. */
  static async open(opts: SessionOptions = {}): Promise<KernelSession> {
    const lab = await createLab(opts);
    let monitor: TraceMonitor | undefined;
    let injector: Injector | undefined;
    try {
      await nsRun(lab.firewall, ['nft', '-f', '-'], { input: harnessTable() });
      monitor = TraceMonitor.start(lab.firewall, SENTINEL_IF);
      lab.adopt(monitor.pid);
      injector = Injector.start(lab.client);
      lab.adopt(injector.pid);
      const s = new KernelSession(lab, monitor, injector, opts);
      await s.waitUntilReady();
      return s;
    } catch (e) {
      monitor?.stop();
      await injector?.stop().catch(() => undefined);
      await lab.destroy();
      throw e;
    }
  }

  /** The monitor subscribes asynchronously: probe with sentinels until one is traced. */
  private async waitUntilReady(): Promise<void> {
    for (let attempt = 0; attempt < 40; attempt++) {
      const n = await this.sendSentinel();
      if (await this.monitor.waitFor(() => this.monitor.sawSentinel(n), 250)) return;
      if (this.monitor.failure) throw new HarnessError(this.monitor.failure);
    }
    throw new HarnessError('nft monitor trace reported nothing for 10 s: is nftrace supported by this kernel?');
  }

  private async sendSentinel(): Promise<number> {
    this.sentinelSeq = (this.sentinelSeq % 0xfffe) + 1;
    const n = this.sentinelSeq;
    const p: Packet = {
      family: 'ipv4', protocol: 17, src: SENTINEL_SRC, dst: SENTINEL_DST, sport: 9, dport: 9, tcpFlags: 0,
      ttl: 64, length: 28, tos: 0, mark: 0, connmark: 0, hook: 'input', fragment: false,
    };
    const link = this.lab.sentinel;
    await this.injector.send([{ ifname: link.clientIf, hex: toHex(buildFrame(buildIpPacket(p, n), 'ipv4', link.clientMac, link.serverMac)) }]);
    return n;
  }

  /** The interface names packets may arrive on. */
  get interfaces(): readonly string[] {
    return this.lab.links.map((l) => l.serverIf);
  }

  /**
   * Replaces the ruleset under test. iptables / ip6tables text goes through
   * `iptables-restore` / `ip6tables-restore` (nf_tables back-end); nftables text (or `nft -j` JSON)
   * through `nft -f` after a `flush ruleset`, with the harness table re-added, rule counters reset,
   * and then the `companion` iptables-save text, if any, through iptables-restore. Returns the tool's error text, or
   * undefined when the kernel accepted the ruleset.
   */
  async load(text: string, dialect: RulesetDialect, companion?: Companion): Promise<string | undefined> {
    const ns = this.lab.firewall;
    let r;
    if (dialect === 'nftables') {
      r = isNftJson(text)
        ? await loadNftJson(ns, text, harnessTable())
        : await run(inNs(ns, ['nft', '-f', '-']), { input: `flush ruleset\n${zeroCounters(text)}\n${harnessTable()}`, timeoutMs: 120_000 });
      this.loaded = { ip: ['ipv4', 'ipv6'], tables: ['ip', 'ip6', 'inet'] };
      // An iptables-nft table next to the native ones (iptables-restore leaves other tables alone).
      if (r.code === 0 && companion) r = await run(inNs(ns, [`${companion.dialect}-restore`]), { input: companion.text, timeoutMs: 120_000 });
    } else {
      r = await run(inNs(ns, [`${dialect}-restore`]), { input: text, timeoutMs: 120_000 });
      this.loaded = dialect === 'iptables' ? { ip: ['ipv4'], tables: ['ip'] } : { ip: ['ipv6'], tables: ['ip6'] };
    }
    this.traced = new Map();
    this.countersReliable = true;
    if (r.code !== 0) {
      this.listing = undefined;
      return (r.stderr || r.stdout).trim() || `${dialect} loader exited with ${r.code}`;
    }
    this.listing = await this.list();
    return undefined;
  }

  /** The kernel's `nft -j list ruleset` (the harness's own table included). */
  async listJson(): Promise<string> {
    return (await nsRun(this.lab.firewall, ['nft', '-j', 'list', 'ruleset'], { timeoutMs: 120_000 })).stdout;
  }

  private async list(): Promise<Listing> {
    const r = await nsRun(this.lab.firewall, ['nft', '-a', '-j', 'list', 'ruleset'], { timeoutMs: 120_000 });
    return parseListing(r.stdout, [HARNESS_TABLE]);
  }

  private async setMarks(batch: readonly { p: Packet; tag: number }[]): Promise<void> {
    const marked = batch.filter((b) => b.p.mark !== 0);
    if (marked.length === 0 && !this.marksInUse) return;
    const lines = [`flush chain inet ${HARNESS_TABLE} marks`];
    for (const { p, tag } of marked) {
      const key = p.family === 'ipv4' ? `ip id ${tag}` : `ip6 flowlabel ${tag}`;
      lines.push(`add rule inet ${HARNESS_TABLE} marks ${key} meta mark set ${p.mark >>> 0}`);
    }
    await nsRun(this.lab.firewall, ['nft', '-f', '-'], { input: `${lines.join('\n')}\n` });
    this.marksInUse = marked.length > 0;
  }

  private nextTag(family: 'ipv4' | 'ipv6'): number {
    this.tagSeq = (this.tagSeq % (Math.min(tagLimit(family), 0x10000) - 1)) + 1;
    return this.tagSeq;
  }

  /**
   * Sends every packet (first of its flow, empty conntrack table) and returns what the kernel did
   * with each, in order. Packets that cannot be sent get `ok: false` with the reason.
   */
  async observe(packets: readonly Packet[], hook = this.lab.router ? 'forward' : 'input'): Promise<Observation[]> {
    const listing = this.listing;
    if (!listing) throw new HarnessError('observe: no ruleset loaded');
    const out: (Observation | undefined)[] = packets.map(() => undefined);
    const sendable: number[] = [];
    for (const [i, p] of packets.entries()) {
      const why = this.unsendable(p);
      if (why) out[i] = { ok: false, reason: why, events: [] };
      else sendable.push(i);
    }
    let pending = sendable;
    for (let attempt = 0; attempt < 2 && pending.length > 0; attempt++) {
      const retry: number[] = [];
      const sub = pending.map((i) => packets[i] as Packet);
      for (const batch of planBatches(sub, this.opts.batchSize ?? 48)) {
        const idx = batch.map((j) => pending[j] as number);
        const results = await this.runBatch(idx.map((i) => packets[i] as Packet), listing, hook);
        for (const [k, r] of results.entries()) {
          const i = idx[k] as number;
          if (!r.complete && attempt === 0) retry.push(i);
          out[i] = r.observation;
        }
      }
      if (retry.length > 0) this.countersReliable = false;
      pending = retry;
    }
    return out.map((o) => o ?? { ok: false, reason: 'not observed', events: [] });
  }

  private unsendable(p: Packet): string | undefined {
    const why = frameProblem(p);
    if (why) return why;
    if (p.hook !== 'input' && !this.lab.router) return `hook ${p.hook}: only packets addressed to the host are injected`;
    if (p.iif !== undefined && !this.lab.links.some((l) => l.serverIf === p.iif)) {
      return `no test link named '${p.iif}' (links: ${this.interfaces.join(', ')})`;
    }
    if (!this.loaded.ip.includes(p.family)) return `no ${p.family} ruleset is loaded`;
    return undefined;
  }

  private async runBatch(batch: readonly Packet[], listing: Listing, hook: string): Promise<{ complete: boolean; observation: Observation }[]> {
    this.monitor.reset();
    const tagged = batch.map((p) => ({ p, tag: this.nextTag(p.family) }));
    await nsRun(this.lab.firewall, ['conntrack', '-F']).catch((e: unknown) => {
      // An empty table makes some conntrack versions exit non-zero; anything else is a real failure.
      if (!(e instanceof CommandError) || !/emptied|0 flow/.test(e.result.stderr + e.result.stdout)) throw e;
    });
    await this.setMarks(tagged);
    const frames = tagged.map(({ p, tag }) => {
      const link = this.lab.links.find((l) => l.serverIf === (p.iif ?? this.lab.links[0]?.serverIf)) ?? this.lab.links[0];
      if (!link) throw new HarnessError('lab has no links');
      return { ifname: link.clientIf, hex: toHex(buildFrame(buildIpPacket(p, tag), p.family, link.clientMac, link.serverMac)) };
    });
    await this.injector.send(frames);
    const n = await this.sendSentinel();
    const timeout = this.opts.batchTimeoutMs ?? 4000;
    const allDone = (): boolean => tagged.every(({ p, tag }) => outcomeOf(this.monitor.eventsOf(p.family, tag), listing, hook, p.family).complete);
    await this.monitor.waitFor(() => this.monitor.sawSentinel(n), timeout);
    if (!allDone()) await this.monitor.waitFor(allDone, timeout);
    if (this.monitor.failure) throw new HarnessError(this.monitor.failure);
    return tagged.map(({ p, tag }) => {
      const events = this.monitor.eventsOf(p.family, tag);
      const r = outcomeOf(events, listing, hook, p.family);
      if (r.complete) {
        for (const e of events) {
          if (e.kind === 'rule' && e.table !== HARNESS_TABLE) {
            const key = handleKey(e.family, e.table, e.chain, e.handle);
            this.traced.set(key, (this.traced.get(key) ?? 0) + 1);
          }
        }
      }
      return r;
    });
  }

  /**
   * Compares every rule counter with the number of trace events for that rule since the last load.
   * Returns the mismatches (empty when the traces account for every counted packet).
   */
  async checkCounters(): Promise<string[]> {
    if (!this.countersReliable) return [];
    const now = await this.list();
    const problems: string[] = [];
    for (const r of now.rules) {
      if (r.packets === undefined || !this.loaded.tables.includes(r.family)) continue;
      const seen = this.traced.get(handleKey(r.family, r.table, r.chain, r.handle)) ?? 0;
      if (seen !== r.packets) problems.push(`${r.family} ${r.table} ${r.chain} rule ${r.index} (handle ${r.handle}): counter ${r.packets}, traced ${seen}`);
    }
    return problems;
  }

  async close(): Promise<void> {
    this.monitor.stop();
    await this.injector.stop().catch(() => undefined);
    await this.lab.destroy();
  }
}
