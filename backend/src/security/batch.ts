/**
 * One batch of events through the rule engine, in order and synchronously (the engine never waits for I/O), and
 * what follows from it: the rows to store, the bans to record, the audit entries, the stream messages, the metrics
 * and the answer to the caller.
 */
import type { AuditEventInput } from '../audit/entry';
import { Outcome, type Decision } from '../soar/decision';
import type { SecurityEvent } from '../soar/event';
import { AUTO_BLOCKER_ACTOR, decisionEntry, eventEntry } from './audit-entries';
import type { NewBan } from './ban-repo';
import type { StoredEvent } from './event-store';
import type { LiveBans } from './live-bans';
import type { SecurityMetrics } from './metrics';
import { isRelevant, type EventClassifier, type EventSeverity } from './severity';
import type { StreamMessage } from './stream';
import { uuidv7 } from './uuid7';

export interface PendingDecision {
  /** The ban's id; null for an alert. */
  banId: string | null;
  decision: Decision;
  eventId: string | null;
  source: string;
}

export interface Batch {
  rows: StoredEvent[];
  decisions: PendingDecision[];
  outcomes: Record<Outcome, number>;
}

/** A decision as the API reports it. */
export interface DecisionView {
  banId: string | null;
  action: Decision['action'];
  ip: string;
  ruleId: string;
  severity: string;
  at: string;
  /** null: permanent; an alert's is its time. */
  until: string | null;
  /** Seconds; -1 permanent, 0 for an alert. */
  duration: number;
  banNumber: number;
  eventId: string | null;
}

export interface IngestResult {
  accepted: number;
  outcomes: Record<Outcome, number>;
  decisions: DecisionView[];
}

export const emptyOutcomes = (): Record<Outcome, number> => ({
  ignored: 0,
  counted: 0,
  alerted: 0,
  banned: 0,
  blocked: 0,
  whitelisted: 0,
});

/** Runs batches through the live engine and collects the decisions each one makes (engine.onDecision). */
export class BatchRunner {
  private collected: PendingDecision[] = [];
  private eventId: string | null = null;
  private source = '';

  constructor(
    private readonly live: () => LiveBans,
    private readonly classifier: EventClassifier
  ) {}

  /** The engine's decision callback. */
  readonly onDecision = (decision: Decision): void => {
    const banId = decision.action === 'ban' ? uuidv7() : null;
    if (banId !== null) {
      const { ip, ruleId, atMs, untilMs, banNumber } = decision;
      this.live().noteDecision(banId, { ip, ruleId, atMs, untilMs, banNumber });
    }
    this.collected.push({ banId, decision, eventId: this.eventId, source: this.source });
  };

  /**
   * Every event in order; `process` defaults to the live engine (an infraction passes its own), `severity` to the
   * classifier's.
   */
  run(
    events: readonly SecurityEvent[],
    source: string,
    process: (event: SecurityEvent) => Outcome = (event) => this.live().process(event),
    severity?: EventSeverity
  ): Batch {
    const rows = new Array<StoredEvent>(events.length);
    const outcomes = emptyOutcomes();
    this.collected = [];
    this.source = source;
    for (let i = 0; i < events.length; i++) {
      const event = events[i] as SecurityEvent;
      const id = uuidv7(event.timeMs);
      this.eventId = id;
      const before = this.collected.length;
      const outcome = process(event);
      outcomes[outcome]++;
      const decided = this.collected.length > before ? this.collected[this.collected.length - 1] : undefined;
      rows[i] = {
        id,
        event,
        severity: severity ?? this.classifier.severity(event.event, event.status),
        outcome,
        ruleId: decided?.decision.ruleId ?? null,
        source,
      };
    }
    this.eventId = null;
    const decisions = this.collected;
    this.collected = [];
    return { rows, decisions, outcomes };
  }
}

export function newBans(batch: Batch): NewBan[] {
  const bans: NewBan[] = [];
  for (const { banId, decision: d, eventId, source } of batch.decisions) {
    if (banId === null) continue;
    bans.push({
      id: banId,
      ip: d.ip,
      ruleId: d.ruleId,
      // Where the ban came from; the triggering event (eventId) says where it came in.
      source: source === 'infraction' ? 'infraction' : 'auto-blocker',
      reason: null,
      actor: AUTO_BLOCKER_ACTOR,
      severity: d.severity,
      eventId,
      atMs: d.atMs,
      untilMs: d.untilMs,
      banNumber: d.banNumber,
    });
  }
  return bans;
}

export const decisionEntries = (batch: Batch): AuditEventInput[] =>
  batch.decisions.map((p) => decisionEntry(p.decision, p.banId, p.eventId, p.source));

/** Security-relevant events, then the decisions. */
export function auditEntries(batch: Batch): AuditEventInput[] {
  const entries: AuditEventInput[] = [];
  for (const row of batch.rows) if (isRelevant(row.severity)) entries.push(eventEntry(row));
  return entries.concat(decisionEntries(batch));
}

export function decisionView(p: PendingDecision): DecisionView {
  const d = p.decision;
  return {
    banId: p.banId,
    action: d.action,
    ip: d.ip,
    ruleId: d.ruleId,
    severity: d.severity,
    at: new Date(d.atMs).toISOString(),
    until: Number.isFinite(d.untilMs) ? new Date(d.untilMs).toISOString() : null,
    duration: d.duration,
    banNumber: d.banNumber,
    eventId: p.eventId,
  };
}

export function resultOf(batch: Batch): IngestResult {
  return { accepted: batch.rows.length, outcomes: batch.outcomes, decisions: batch.decisions.map(decisionView) };
}

/** The event as GET /api/security/events shows it. */
export function eventRecord(row: StoredEvent, receivedAt: string) {
  const { event: e } = row;
  return {
    id: row.id,
    time: e.time,
    type: e.event,
    ip: e.ip,
    user: e.user,
    method: e.method,
    path: e.path,
    status: e.status,
    userAgent: e.userAgent,
    bytes: e.bytes,
    msg: e.msg,
    jail: e.jail,
    severity: row.severity,
    outcome: row.outcome,
    ruleId: row.ruleId,
    source: row.source,
    receivedAt,
  };
}

export function streamMessages(batch: Batch, withRoutine: boolean): StreamMessage[] {
  const receivedAt = new Date().toISOString();
  const messages: StreamMessage[] = [];
  for (const row of batch.rows) {
    const relevant = isRelevant(row.severity);
    if (relevant || withRoutine)
      messages.push({ event: 'security-event', data: eventRecord(row, receivedAt), relevant });
  }
  for (const p of batch.decisions) messages.push({ event: 'decision', data: decisionView(p), relevant: true });
  return messages;
}

export function recordMetrics(metrics: SecurityMetrics, classifier: EventClassifier, batch: Batch): void {
  const byLabels = new Map<string, number>();
  const blocked = new Map<string, number>();
  let relevant = 0;
  for (const row of batch.rows) {
    const key = `${classifier.typeLabel(row.event.event)}\u0000${row.severity}`;
    byLabels.set(key, (byLabels.get(key) ?? 0) + 1);
    if (isRelevant(row.severity)) relevant++;
    if (row.outcome === Outcome.blocked) {
      const ip = metrics.ipLabels.label(row.event.ip);
      blocked.set(ip, (blocked.get(ip) ?? 0) + 1);
    }
  }
  for (const [key, count] of byLabels) {
    const [type, severity] = key.split('\u0000') as [string, string];
    metrics.events.inc({ type, severity }, count);
  }
  for (const [ip, count] of blocked) metrics.requestsBlocked.inc({ ip }, count);
  for (const { decision } of batch.decisions) {
    if (decision.action === 'ban') metrics.autoBlocks.inc({ rule: decision.ruleId });
  }
  if (relevant > 0) metrics.suspicious.add(relevant);
}
