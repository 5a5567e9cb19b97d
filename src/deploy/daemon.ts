// `fastpath dp up`: validates the config (every problem at once, nothing loaded on error),
// loads and pins the datapath, applies the configuration, attaches, then stays in the
// foreground: ages connections, logs datapath events, reloads the file on SIGHUP (one
// transaction; a bad file changes nothing), answers `dp apply` / `dp down` on its control
// socket, serves metrics, and on SIGTERM/SIGINT detaches everything and removes its pins
// (or, with keepState, leaves the datapath running and pinned for the next `dp up`).
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Server as NetServer } from 'node:net';
import { destroyClsact, detachXdp, ifindex as nativeIfindex } from '../../native/index.js';
import type { DatapathState } from '../config/datapath-model.js';
import type { DeployConfig } from '../config/deploy-model.js';
import { Datapath, DEFAULT_CT_TIMEOUTS, type CtSweeper, type CtTimeouts, type EventReader, removePins } from '../datapath/index.js';
import { type ConfigProblem, formatProblem, loadConfigFile } from './config-file.js';
import { type ControlAnswer, type ControlRequest, serveControl } from './control.js';
import { desiredState, diffStates } from './desired-state.js';
import { editLb } from './lb-edit.js';
import { type LogFormat, formatEvent, formatMessage } from './event-log.js';
import { datapathRegistry, serveMetrics } from './metrics.js';
import { type DaemonRecord, StateDir, deadStateDirs } from './state-dir.js';
import { keepPins } from '../datapath/pin-owners.js';
import { ensureBpffs } from './bpffs.js';

export const DEFAULT_PIN_ROOT = '/sys/fs/bpf/fastpath';

export interface UpOptions {
  configFile: string;
  object: string;
  netns?: string;
  pinRoot?: string;
  keepState: boolean;
  logFormat: LogFormat;
  metrics?: string;
  /** Where log lines go (stdout by default). */
  log?: (line: string) => void;
}

export class ConfigRejected extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

function interfaceResolver(netns: string | undefined): (ifname: string) => boolean {
  return (ifname) => {
    try {
      nativeIfindex({ ifname, netns });
      return true;
    } catch {
      return false;
    }
  };
}

function checkedConfig(file: string, netns: string | undefined): DeployConfig {
  const loaded = loadConfigFile(file, interfaceResolver(netns));
  if (loaded.config === undefined) throw new ConfigRejected(loaded.problems);
  return loaded.config;
}

const XDP_MODE = { native: 'driver', generic: 'generic' } as const;

/** Removes what a daemon that died without cleaning up left: its attachments, and its
 *  pins unless it was keeping state. */
export function cleanUpAfter(record: DaemonRecord, keepPins: boolean): string[] {
  const done: string[] = [];
  if (!keepPins) {
    for (const a of record.attached) {
      if (a.xdp !== undefined) {
        try {
          detachXdp({ ifname: a.ifname, netns: record.netns, mode: a.xdp });
          done.push(`xdp ${a.ifname}`);
        } catch {
          /* already gone */
        }
      }
      if (a.createdQdisc) {
        try {
          destroyClsact({ ifname: a.ifname, netns: record.netns });
          done.push(`clsact ${a.ifname}`);
        } catch {
          /* already gone */
        }
      }
    }
    removePins(record.pinRoot);
    done.push(`pins ${record.pinRoot}`);
  }
  return done;
}

export class Daemon {
  private readonly state: StateDir;
  private dp: Datapath | undefined;
  private sweeper: CtSweeper | undefined;
  private events: EventReader | undefined;
  private eventTimer: NodeJS.Timeout | undefined;
  private metricsServer: Server | undefined;
  private control: NetServer | undefined;
  private applied: DatapathState = {};
  private record: DaemonRecord | undefined;
  private readonly ifnames = new Map<number, string>();
  private stopping: Promise<void> | undefined;
  readonly pinRoot: string;
  private readonly log: (line: string) => void;
  private resolveDone!: () => void;
  /** Resolves when the daemon has stopped. */
  readonly done = new Promise<void>((resolve) => {
    this.resolveDone = resolve;
  });

  private constructor(
    private readonly opts: UpOptions,
    private config: DeployConfig,
  ) {
    this.pinRoot = opts.pinRoot ?? config.pinRoot ?? DEFAULT_PIN_ROOT;
    this.state = new StateDir(this.pinRoot);
    this.log = opts.log ?? ((line) => process.stdout.write(`${line}\n`));
  }

  /** Validates, brings the datapath up and starts the foreground work. Throws
   *  ConfigRejected (nothing done) or the error that stopped it (everything undone). */
  static async up(opts: UpOptions): Promise<Daemon> {
    const config = checkedConfig(opts.configFile, opts.netns);
    const d = new Daemon(opts, config);
    const mounted = ensureBpffs(d.pinRoot);
    if (mounted !== undefined) d.say('bpffs', mounted);
    const stale = d.state.acquire();
    try {
      if (stale !== undefined) {
        const done = cleanUpAfter(stale, stale.keepState);
        d.say(
          'cleanup',
          `pid ${stale.pid} on ${d.pinRoot} had stopped without cleaning up${done.length > 0 ? `: removed ${done.join(', ')}` : ' (its state was kept)'}`,
        );
      }
      await d.start();
    } catch (e) {
      d.teardown(false);
      throw e;
    }
    return d;
  }

  private say(kind: string, text: string, extra: Record<string, unknown> = {}): void {
    this.log(formatMessage(kind, text, this.opts.logFormat, extra));
  }

  private async start(): Promise<void> {
    // The applied configuration describes the maps only while they are still pinned.
    const kept = existsSync(this.pinRoot) ? this.state.applied() : undefined;
    this.dp = Datapath.load({ object: this.opts.object, pinRoot: this.pinRoot, netns: this.opts.netns });
    const from: DatapathState = kept ?? {};
    const to = desiredState(this.config);
    const diff = diffStates(from, to);
    this.dp.apply(diff.change);
    this.applied = to;
    this.state.writeApplied(to);
    this.record = {
      pid: process.pid,
      pinRoot: this.pinRoot,
      ...(this.opts.netns !== undefined ? { netns: this.opts.netns } : {}),
      configFile: this.opts.configFile,
      keepState: this.opts.keepState,
      attached: [],
      startedAt: new Date().toISOString(),
    };
    const inherited = this.state.record();
    for (const a of this.config.attach) {
      const xdp = a.xdp === undefined || a.xdp === 'none' ? undefined : XDP_MODE[a.xdp];
      this.dp.attach({ ifname: a.ifname, ...(xdp !== undefined ? { xdp } : {}), egress: a.egress === true, replace: kept !== undefined });
      const created = this.dp.createdQdisc(a.ifname) || inherited?.attached.some((p) => p.ifname === a.ifname && p.createdQdisc) === true;
      this.record.attached.push({
        ifname: a.ifname,
        ...(xdp !== undefined ? { xdp } : {}),
        egress: a.egress === true,
        createdQdisc: created,
      });
      this.state.writeRecord(this.record);
      this.ifnames.set(this.dp.ifindex(a.ifname), a.ifname);
    }
    for (const w of this.dp.xdpWarnings()) this.say('warning', w);
    this.startSweeper();
    this.events = this.dp.events();
    this.eventTimer = setInterval(() => this.drainEvents(), 200);
    this.control = serveControl(this.state.socket, (req) => this.answer(req));
    if (this.opts.metrics !== undefined) {
      this.metricsServer = await serveMetrics(
        datapathRegistry(this.dp, (i) => this.ifnameOf(i)),
        this.opts.metrics,
      );
    }
    this.say(
      'up',
      `${this.opts.configFile}: ${this.config.attach.map((a) => `${a.ifname}(${a.xdp ?? 'none'})`).join(', ')} on ${this.pinRoot}` +
        `${this.opts.netns !== undefined ? ` in ${this.opts.netns}` : ''}; ${kept !== undefined ? `state kept from before: ${diff.summary.length} changes` : `${diff.summary.length} entries applied`}` +
        `${this.opts.metrics !== undefined ? `; metrics on http://${this.opts.metrics}/metrics` : ''}`,
      { pid: process.pid },
    );
  }

  private ifnameOf(ifindex: number): string {
    return this.ifnames.get(ifindex) ?? `ifindex-${ifindex}`;
  }

  private startSweeper(): void {
    this.sweeper?.stop();
    const timeouts: CtTimeouts = { ...DEFAULT_CT_TIMEOUTS, ...(this.config.ct?.timeouts ?? {}) };
    this.sweeper = this.dp!.sweeper(timeouts, this.config.ct?.sweepIntervalMs ?? 1000);
  }

  private drainEvents(): void {
    if (this.events === undefined) return;
    for (const e of this.events.poll(0)) this.log(formatEvent(e, this.ifnameOf(e.ifindex), this.opts.logFormat));
  }

  /** Moves the installed state to `to` in one transaction; throws (nothing changed) on error. */
  private applyState(to: DatapathState): string[] {
    const diff = diffStates(this.applied, to);
    if (diff.summary.length > 0) this.dp!.apply(diff.change);
    this.applied = to;
    this.state.writeApplied(to);
    return diff.summary;
  }

  /** SIGHUP: the file again, as one transaction; a bad file is reported and changes nothing. */
  reload(): void {
    let config: DeployConfig;
    try {
      config = checkedConfig(this.opts.configFile, this.opts.netns);
    } catch (e) {
      this.say('reload-rejected', `${this.opts.configFile}: nothing changed:\n${(e as Error).message}`);
      return;
    }
    const attachChanged = JSON.stringify(config.attach) !== JSON.stringify(this.config.attach);
    try {
      const summary = this.applyState(desiredState(config));
      this.config = { ...config, attach: this.config.attach };
      this.startSweeper();
      this.say(
        'reload',
        `${this.opts.configFile}: ${summary.length} changes${summary.length > 0 ? `\n${summary.join('\n')}` : ''}` +
          `${attachChanged ? '\n(attach changes take effect at the next dp up)' : ''}`,
      );
    } catch (e) {
      this.say('reload-rejected', `${this.opts.configFile}: nothing changed: ${(e as Error).message}`);
    }
  }

  private answer(req: ControlRequest): ControlAnswer {
    switch (req.op) {
      case 'status':
        return {
          ok: true,
          status: {
            pid: process.pid,
            pinRoot: this.pinRoot,
            configFile: this.opts.configFile,
            attached: this.record?.attached ?? [],
            generation: String(this.dp?.generation()),
          },
        };
      case 'apply':
        try {
          const summary = this.applyState(req.state);
          this.say('apply', `${req.source}: ${summary.length} changes`);
          return { ok: true, summary };
        } catch (e) {
          return { ok: false, error: (e as Error).message };
        }
      case 'lb':
        try {
          const summary = this.applyState(editLb(this.applied, req.edit));
          this.say('apply', `dp lb ${req.edit.kind}: ${summary.length} changes`);
          return { ok: true, summary };
        } catch (e) {
          return { ok: false, error: (e as Error).message };
        }
      case 'down':
        setImmediate(() => {
          void this.stop(req.keepState);
        });
        return { ok: true };
      default:
        return { ok: false, error: `unknown request ${JSON.stringify(req)}` };
    }
  }

  /** Stops the foreground work; detaches and unpins unless keeping state (as dp up was
   *  told, unless `keepState` says otherwise). */
  stop(keepState = this.opts.keepState): Promise<void> {
    this.stopping ??= (async () => {
      this.say(
        'down',
        keepState ? `leaving the datapath attached and pinned on ${this.pinRoot} (--keep-state)` : `detaching and removing ${this.pinRoot}`,
      );
      await new Promise<void>((resolve) => (this.metricsServer === undefined ? resolve() : this.metricsServer.close(() => resolve())));
      this.teardown(keepState);
      this.resolveDone();
    })();
    return this.stopping;
  }

  private teardown(keepState: boolean): void {
    if (this.eventTimer !== undefined) clearInterval(this.eventTimer);
    this.sweeper?.stop();
    this.events?.close();
    this.control?.close();
    this.metricsServer?.closeAllConnections();
    if (this.dp !== undefined) {
      if (keepState) {
        this.dp.release();
        keepPins(this.pinRoot);
      } else {
        const inherited = this.record?.attached.filter((a) => a.createdQdisc && !this.dp!.createdQdisc(a.ifname)) ?? [];
        this.dp.close();
        for (const a of inherited) {
          try {
            destroyClsact({ ifname: a.ifname, netns: this.opts.netns });
          } catch {
            /* already gone */
          }
        }
        removePins(this.pinRoot);
      }
    }
    this.state.release(keepState);
  }
}

/** What `topology sweep` does for daemons: every dp up that died without stopping (its
 *  lock's process is gone) is cleaned up after, unless it was keeping state (also those
 *  with `all`). Returns what was removed. */
export function sweepDeadDaemons(all = false): string[] {
  const out: string[] = [];
  for (const state of deadStateDirs()) {
    const record = state.record();
    if (record === undefined || state.liveDaemon() !== undefined) continue;
    if (record.keepState && !all) continue;
    out.push(...cleanUpAfter(record, false).map((d) => `dp up pid ${record.pid}: ${d}`));
    state.release(false);
  }
  return out;
}
