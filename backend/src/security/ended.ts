/** The end of bans (lifted by someone, or expired): out of the engine's memory, to the stream, the enforcers and the audit trail. */
import { actionEntry } from './audit-entries';
import type { EndedBan } from './ban-repo';
import type { SecurityService } from './service';

export async function reportEnded(
  service: SecurityService,
  bans: readonly EndedBan[],
  action: string,
  actor: { user: string; role?: string },
  reason?: string
): Promise<void> {
  if (bans.length === 0) return;
  for (const ban of bans) service.live.lift(ban.id, ban.ip);
  service.stream.publish(
    bans.map((ban) => ({
      event: 'unban',
      data: { banId: ban.id, ip: ban.ip, ruleId: ban.ruleId, action, actor: actor.user, reason: reason ?? null },
      relevant: true,
    }))
  );
  service.kickEnforcer();
  await service.audit(
    bans.map((ban) =>
      actionEntry({
        action,
        resource: 'ban',
        resourceId: ban.id,
        ip: ban.ip,
        actor: actor.user,
        role: actor.role,
        reason,
        details: { ruleId: ban.ruleId },
      })
    )
  );
}
