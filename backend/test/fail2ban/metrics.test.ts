import { Registry } from 'prom-client';
import type { Fail2banClient, JailStatus } from '../../src/fail2ban';
import { registerFail2banMetrics } from '../../src/fail2ban/metrics';

const jail = (name: string, banned: number, total: number): JailStatus => ({
  jail: name,
  currentlyFailed: 0,
  totalFailed: 0,
  currentlyBanned: banned,
  totalBanned: total,
  bannedIps: [],
});

/** A client whose statusAll answers what `answer` holds and counts its calls; the rest is not used. */
function scriptedClient(answer: { jails: JailStatus[] | Error }) {
  const calls = { statusAll: 0 };
  const unused = () => Promise.reject(new Error('not used'));
  const client: Fail2banClient = {
    ping: unused,
    status: unused,
    jailStatus: unused,
    ban: unused,
    unban: unused,
    statusAll: async () => {
      calls.statusAll++;
      if (answer.jails instanceof Error) throw answer.jails;
      return answer.jails;
    },
  };
  return { client, calls };
}

describe('Fail2ban metrics collector', () => {
  test('one read serves every gauge of a scrape and the scrapes within the cache time', async () => {
    let now = 1_000_000;
    const registry = new Registry();
    const answer = { jails: [jail('sshd', 2, 9), jail('cartae-api-auth', 0, 1)] as JailStatus[] | Error };
    const { client, calls } = scriptedClient(answer);
    registerFail2banMetrics(registry, client, { cacheMs: 5000, now: () => now });

    const first = await registry.metrics();
    expect(first).toMatch(/^fail2ban_up 1$/m);
    expect(first).toMatch(/^fail2ban_jails_total 2$/m);
    expect(first).toMatch(/^fail2ban_active_bans\{jail="sshd"\} 2$/m);
    expect(first).toMatch(/^fail2ban_banned_ips_total\{jail="cartae-api-auth"\} 1$/m);
    await registry.metrics();
    expect(calls.statusAll).toBe(1);

    // A reload removed a jail: its series go away with the next read.
    answer.jails = [jail('sshd', 1, 10)];
    now += 5000;
    const second = await registry.metrics();
    expect(calls.statusAll).toBe(2);
    expect(second).toMatch(/^fail2ban_active_bans\{jail="sshd"\} 1$/m);
    expect(second).not.toMatch(/cartae-api-auth/);

    answer.jails = new Error('Fail2ban is not reachable');
    now += 5000;
    const down = await registry.metrics();
    expect(down).toMatch(/^fail2ban_up 0$/m);
    expect(down).not.toMatch(/^fail2ban_active_bans\{/m);
  });

  test('a read that outlasts the deadline counts as down', async () => {
    const registry = new Registry();
    const { client } = scriptedClient({ jails: [] });
    client.statusAll = () => new Promise(() => undefined); // never answers
    const errors: unknown[] = [];
    registerFail2banMetrics(registry, client, { deadlineMs: 100, onError: (err) => errors.push(err) });
    const started = Date.now();
    expect(await registry.metrics()).toMatch(/^fail2ban_up 0$/m);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(errors).toHaveLength(1);
  });
});
