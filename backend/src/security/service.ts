/**
 * The live auto-blocker: validated event batches through the rule engine in order, stored with their decisions in
 * one transaction (answering after commit), written to the audit trail, enforced by the adapters, streamed. It
 * keeps the engine's memory in line with the database: rebuilt at start-up, refreshed from other processes, bans
 * ended on time (auto-unban), whitelist entries expired. See README.md for several processes on one database.
 */
import type { AuditEventInput } from '../audit/entry';
import type { AuditSink } from '../audit/store';
import type { Database } from '../db';
import type { SecurityEvent } from '../soar/event';
import { actionEntry, AUTO_BLOCKER_ACTOR } from './audit-entries';
import { BatchRunner, emptyOutcomes, recordMetrics, resultOf, streamMessages } from './batch';
import type { Batch, IngestResult } from './batch';
import { banChangesSince, loadBanStates } from './ban-query';
import { expireDueBans } from './ban-repo';
import { reportEnded } from './ended';
import type { SecurityConfig } from './config';
import { SecurityNotReadyError } from './errors';
import { Enforcer, type EnforcementAdapter, type EnforcementResult } from './enforcement';
import { Gate } from './gate';
import { LiveBans } from './live-bans';
import type { SecurityMetrics } from './metrics';
import { BatchWriter } from './persist';
import { EventClassifier } from './severity';
import { SecurityStream } from './stream';
import { WhitelistState } from './whitelist-state';

export interface SecurityLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SecurityServiceOptions {
  db: Database;
  audit: AuditSink;
  config: SecurityConfig;
  metrics: SecurityMetrics;
  adapters: readonly EnforcementAdapter[];
  log: SecurityLogger;
}

export interface IngestOptions {
  /** Where the events come from: `api`, `file:<name>`… (stored with each event). */
  source: string;
}

const notReady = () =>
  new SecurityNotReadyError('the security service has not loaded its ban state from the database yet; retry shortly');

/** A refresh looks back this far before its last run: bans committed late by another process are not missed. */
const REFRESH_SLACK_MS = 60_000;

export class SecurityService {
  readonly classifier: EventClassifier;
  readonly stream: SecurityStream;
  readonly enforcer: Enforcer;
  readonly whitelist: WhitelistState;
  private readonly gate: Gate;
  private readonly runner: BatchRunner;
  private liveBans: LiveBans | undefined;
  private loading: Promise<void> | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private ticking: Promise<void> | undefined;
  private lastRefreshMs = 0;
  private stopped = false;
  private readonly writer: BatchWriter;

  constructor(readonly options: SecurityServiceOptions) {
    const { settings, autoBlocker } = options.config;
    this.classifier = new EventClassifier(autoBlocker);
    this.stream = new SecurityStream(settings.stream);
    this.gate = new Gate(settings.maxConcurrentBatches, settings.maxQueuedBatches);
    this.runner = new BatchRunner(() => this.live, this.classifier);
    this.enforcer = new Enforcer(options.db, options.adapters, {
      ...settings.enforcement,
      onResult: (result) => this.onEnforced(result),
    });
    this.writer = new BatchWriter(options.db, options.audit, () => this.enforcer.adapterNames, options.log);
    // Before the state is loaded there is no engine to tell: loading applies the list.
    this.whitelist = new WhitelistState(options.db, autoBlocker.whitelist, (entries) =>
      this.liveBans?.setWhitelist(entries)
    );
  }

  get ready(): boolean {
    return this.liveBans !== undefined;
  }

  /** The engine's memory; throws SecurityNotReadyError before the ban state was loaded. */
  get live(): LiveBans {
    if (this.liveBans === undefined) throw notReady();
    return this.liveBans;
  }

  /** Throws SecurityNotReadyError (503) before the ban state was loaded. */
  assertReady(): void {
    if (this.liveBans === undefined) throw notReady();
  }

  /** Loads the state and starts the timers; a failed load is retried by the maintenance tick. */
  async start(): Promise<void> {
    const { settings } = this.options.config;
    await this.load().catch((err: unknown) => this.options.log.warn({ err }, 'could not load the ban state; retrying'));
    const every = (ms: number, fn: () => Promise<void>) => {
      const timer = setInterval(() => void this.tick(fn), ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(settings.maintenanceIntervalMs, () => this.maintain());
    every(settings.refreshIntervalMs, () => this.refresh());
  }

  /** Stops the timers, ends the streams and waits for the work in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    this.stream.close();
    await this.ticking;
    await this.enforcer.settled();
  }

  /**
   * Runs a batch of validated events through the auto-blocker in order and resolves once they and their decisions
   * are committed and audited (back-pressure: batches beyond `maxConcurrentBatches` wait their turn; beyond
   * `maxQueuedBatches` waiting, ServiceBusyError). The file ingester and POST /api/security/events call this.
   * `events` may be a function, called when the batch's turn comes (making events from a request body only then);
   * what it throws rejects the call before any event is run.
   */
  async ingest(
    events: readonly SecurityEvent[] | (() => readonly SecurityEvent[]),
    options: IngestOptions
  ): Promise<IngestResult> {
    const live = this.live; // not ready: fail before queueing
    if (Array.isArray(events) && events.length === 0) {
      return resultOf({ rows: [], decisions: [], outcomes: emptyOutcomes() });
    }
    const release = await this.gate.acquire();
    try {
      const list = typeof events === 'function' ? events() : (events as readonly SecurityEvent[]);
      const batch = this.runner.run(list, options.source, (event) => live.process(event));
      await this.persist(batch);
      return resultOf(batch);
    } finally {
      release();
    }
  }

  /** Runs a batch through the gate with a custom step (an infraction), then persists it. */
  async runOne(run: (runner: BatchRunner) => Batch, extraAudit: AuditEventInput[] = []): Promise<Batch> {
    this.assertReady();
    const release = await this.gate.acquire();
    try {
      const batch = run(this.runner);
      await this.persist(batch, extraAudit);
      return batch;
    } finally {
      release();
    }
  }

  /** Stores the batch (answering after commit), then counts, streams and enforces its decisions. */
  private async persist(batch: Batch, extraAudit: AuditEventInput[] = []): Promise<void> {
    const bans = await this.writer.write(batch, extraAudit);
    recordMetrics(this.options.metrics, this.classifier, batch);
    if (this.stream.size > 0) this.stream.publish(streamMessages(batch, this.stream.wantsAll));
    if (bans.length > 0) this.kickEnforcer();
  }

  kickEnforcer(): void {
    this.enforcer.run().catch((err: unknown) => this.options.log.warn({ err }, 'enforcement round failed'));
  }

  /** Appends entries to the audit trail; kept and retried when it cannot take them now. */
  audit(entries: AuditEventInput[]): Promise<void> {
    return this.writer.audit(entries);
  }

  private async load(): Promise<void> {
    this.loading ??= (async () => {
      const now = Date.now();
      const states = await loadBanStates(
        this.options.db,
        now - this.options.config.autoBlocker.escalation.permanentWindowMs
      );
      const live = new LiveBans(this.options.config.autoBlocker, states, this.runner.onDecision, now);
      this.liveBans = live;
      this.lastRefreshMs = now;
      await this.whitelist.reload(true);
      this.options.log.info({ bans: live.activeCount }, 'security service loaded its ban state');
    })().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** Runs one timer task at a time; a task that fails is logged and tried again at its next tick. */
  private async tick(task: () => Promise<void>): Promise<void> {
    if (this.ticking !== undefined || this.stopped) return;
    this.ticking = task()
      .catch((err: unknown) => this.options.log.warn({ err }, 'security maintenance failed; retrying'))
      .finally(() => {
        this.ticking = undefined;
      });
    await this.ticking;
  }

  /** Ban expiries (auto-unban), whitelist expiries, retries of failed writes, enforcement. */
  async maintain(): Promise<void> {
    if (!this.ready) return this.load();
    const now = Date.now();
    const expired = await this.options.db.transaction((tx) => expireDueBans(tx));
    await reportEnded(this, expired, 'soar.ban.expire', { user: AUTO_BLOCKER_ACTOR }, 'ban duration elapsed');
    const removed = await this.whitelist.expire(now);
    if (removed.length > 0) {
      await this.audit(
        removed.map((entry) =>
          actionEntry({
            action: 'soar.whitelist.expire',
            resource: 'whitelist',
            ip: entry.ip,
            actor: AUTO_BLOCKER_ACTOR,
            reason: entry.reason,
          })
        )
      );
    }
    await this.writer.retry();
    await this.enforcer.run();
    this.live.prune(now, now - 10 * REFRESH_SLACK_MS);
  }

  /** Bans and whitelist entries other processes wrote since the last refresh. */
  async refresh(): Promise<void> {
    if (!this.ready) return;
    const started = Date.now();
    const since = this.lastRefreshMs - REFRESH_SLACK_MS;
    const changes = await banChangesSince(this.options.db, since);
    for (const ban of changes) this.live.apply(ban, started, ban.recordedMs >= since);
    await this.whitelist.reload();
    this.lastRefreshMs = started;
  }

  private onEnforced(result: EnforcementResult): void {
    if (result.state === 'pending' || result.state === 'failed') {
      this.options.log.warn(result, `enforcement by ${result.adapter} failed (${result.state})`);
    }
    this.stream.publish([{ event: 'enforcement', data: result, relevant: true }]);
  }
}
