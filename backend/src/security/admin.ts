/**
 * What admins (and reporting applications) do to the auto-blocker through the API: ban and unban by hand, edit the
 * whitelist, report an infraction. Each change is stored, applied to the engine at once, enforced, streamed and
 * written to the audit trail with who did it and why.
 */
import { ConflictError } from '../errors';
import { bareEvent } from '../soar/event';
import { actionEntry } from './audit-entries';
import { resultOf, type IngestResult } from './batch';
import { getBans, type BanRecordView } from './ban-query';
import { insertBans, liftBans, liftBansWithin, type NewBan } from './ban-repo';
import { isSingleAddress } from './cidr';
import { reportEnded } from './ended';
import type { SecurityService } from './service';
import type { WhitelistEntry } from './whitelist-repo';
import { uuidv7 } from './uuid7';

export interface Actor {
  /** The Grafana user, or token:<role>. */
  user: string;
  role: string;
}

const MANUAL_RULE = 'manual';

/** Bans an address or block (canonical) for `durationSeconds`, or for good when null. Replaces a ban in force. */
export async function manualBan(
  service: SecurityService,
  input: { ip: string; durationSeconds: number | null; reason: string; actor: Actor }
): Promise<BanRecordView> {
  const { ip, durationSeconds, reason, actor } = input;
  const live = service.live;
  const probe = ip.split('/')[0] as string;
  if (live.isWhitelisted(probe)) {
    throw new ConflictError(`${ip} is whitelisted; remove it from the whitelist before banning it`);
  }
  const atMs = Date.now();
  const { permanentWindowMs } = service.options.config.autoBlocker.escalation;
  const ban: NewBan = {
    id: uuidv7(atMs),
    ip,
    ruleId: MANUAL_RULE,
    source: 'api',
    reason,
    actor: actor.user,
    severity: null,
    eventId: null,
    atMs,
    untilMs: durationSeconds === null ? Infinity : atMs + durationSeconds * 1000,
    banNumber: isSingleAddress(ip) ? 1 + live.bansSince(ip, atMs - permanentWindowMs) : 1,
  };
  await service.options.db.transaction((tx) =>
    insertBans(tx, [ban], service.enforcer.adapterNames, { supersede: true })
  );
  live.apply({ ...ban, lifted: false, recordedMs: atMs });
  service.kickEnforcer();
  const until = Number.isFinite(ban.untilMs) ? new Date(ban.untilMs).toISOString() : null;
  service.stream.publish([
    {
      event: 'decision',
      data: { banId: ban.id, action: 'ban', ip, ruleId: MANUAL_RULE, at: new Date(atMs).toISOString(), until },
      relevant: true,
    },
  ]);
  await service.audit([
    actionEntry({
      action: 'security.ban',
      resource: 'ban',
      resourceId: ban.id,
      ip,
      actor: actor.user,
      role: actor.role,
      reason,
      details: { duration: durationSeconds ?? -1, until, banNumber: ban.banNumber },
    }),
  ]);
  return (await getBans(service.options.db, [ban.id]))[0] as BanRecordView;
}

/** Lifts the ban in force of exactly this address or block; null when there is none. */
export async function liftBan(
  service: SecurityService,
  input: { ip: string; reason: string; actor: Actor }
): Promise<BanRecordView[] | null> {
  const { ip, reason, actor } = input;
  service.assertReady();
  const ended = await service.options.db.transaction((tx) => liftBans(tx, ip, actor.user, reason));
  if (ended.length === 0) return null;
  await reportEnded(service, ended, 'security.unban', actor, reason);
  return getBans(
    service.options.db,
    ended.map((ban) => ban.id)
  );
}

/** Adds or updates a whitelist entry; bans in force inside it are lifted (the whitelist wins). */
export async function addWhitelistEntry(
  service: SecurityService,
  input: { ip: string; reason: string; expiresAt: Date | null; actor: Actor }
): Promise<{ entry: WhitelistEntry; created: boolean; liftedBans: number }> {
  const { ip, reason, expiresAt, actor } = input;
  service.assertReady();
  const result = await service.whitelist.upsert({ ip, reason, actor: actor.user, expiresAt });
  const lifted = await service.options.db.transaction((tx) =>
    liftBansWithin(tx, ip, actor.user, `whitelisted: ${reason}`)
  );
  await service.audit([
    actionEntry({
      action: result.created ? 'soar.whitelist.add' : 'soar.whitelist.update',
      resource: 'whitelist',
      ip,
      actor: actor.user,
      role: actor.role,
      reason,
      details: { expiresAt: result.entry.expiresAt },
    }),
  ]);
  await reportEnded(service, lifted, 'security.unban', actor, `whitelisted: ${reason}`);
  service.stream.publish([{ event: 'whitelist', data: { change: 'add', ...result.entry }, relevant: true }]);
  return { ...result, liftedBans: lifted.length };
}

/** Removes an entry added through the API; null when there is none. The file's entries cannot be removed here. */
export async function removeWhitelistEntry(
  service: SecurityService,
  input: { ip: string; reason: string; actor: Actor }
): Promise<WhitelistEntry | null> {
  const { ip, reason, actor } = input;
  if (service.whitelist.isFileEntry(ip)) {
    throw new ConflictError(`${ip} is whitelisted by the configuration file (autoBlocker.whitelist); remove it there`);
  }
  const removed = await service.whitelist.remove(ip);
  if (removed === null) return null;
  await service.audit([
    actionEntry({
      action: 'soar.whitelist.remove',
      resource: 'whitelist',
      ip,
      actor: actor.user,
      role: actor.role,
      reason,
    }),
  ]);
  service.stream.publish([{ event: 'whitelist', data: { change: 'remove', ip }, relevant: true }]);
  return removed;
}

/**
 * Counts one event matching `ruleId` for `ip` now (the seeds' reportInfraction), stored as a `soar.infraction`
 * event; null when no rule has that id.
 */
export async function reportInfraction(
  service: SecurityService,
  input: { ip: string; ruleId: string; reason: string | null; actor: Actor }
): Promise<(IngestResult & { eventId: string }) | null> {
  const { ip, ruleId, reason, actor } = input;
  const rule = service.options.config.autoBlocker.rules.find((r) => r.id === ruleId);
  if (rule === undefined) return null;
  const now = Date.now();
  const event = bareEvent(
    now,
    'soar.infraction',
    ip,
    reason ?? `infraction of rule ${ruleId} reported by ${actor.user}`
  );
  const entry = actionEntry({
    action: 'soar.infraction',
    resource: 'rule',
    resourceId: ruleId,
    ip,
    actor: actor.user,
    role: actor.role,
    reason: reason ?? undefined,
  });
  const batch = await service.runOne(
    (runner) =>
      runner.run([event], 'infraction', (e) => service.live.reportInfraction(e.ip, ruleId, e.timeMs), rule.severity),
    [entry]
  );
  return { ...resultOf(batch), eventId: (batch.rows[0] as { id: string }).id };
}
