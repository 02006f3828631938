import { http, HttpResponse } from 'msw';
import type { Ban, ManualBanBody } from '../api/types';
import { proxied } from './server';

let lastId = 0;

/** A ban as GET /api/soar/bans lists it. */
export function makeBan(ip: string, overrides: Partial<Ban> = {}): Ban {
  return {
    id: `0190a0b0-0000-7000-8000-${String(++lastId).padStart(12, '0')}`,
    ip,
    ruleId: 'manual',
    source: 'api',
    reason: 'credential stuffing',
    actor: 'admin',
    severity: 'high',
    eventId: null,
    at: new Date(Date.now() - 60_000).toISOString(),
    until: new Date(Date.now() + 3_600_000).toISOString(),
    duration: 3600,
    banNumber: 1,
    active: true,
    endedAt: null,
    liftedAt: null,
    liftedBy: null,
    liftReason: null,
    enforcement: [],
    ...overrides,
  };
}

/**
 * The backend's ban routes over an in-memory list: list (state, exact ip), ban (replaces one in force), unban
 * (404 when none is in force). `requests` records what the page sent.
 */
export function bansBackend(initial: Ban[] = []) {
  const bans = [...initial];
  const requests: Array<{ method: string; url: URL; body: unknown }> = [];
  const handlers = [
    http.get(proxied('api/soar/bans'), ({ request }) => {
      const url = new URL(request.url);
      requests.push({ method: 'GET', url, body: undefined });
      const isActive = (url.searchParams.get('state') ?? 'active') === 'active';
      const ip = url.searchParams.get('ip');
      const listed = bans.filter((b) => b.active === isActive && (!ip || b.ip === ip));
      return HttpResponse.json({ bans: listed, nextCursor: null });
    }),
    http.post(proxied('admin/security/ban'), async ({ request }) => {
      const body = (await request.json()) as ManualBanBody;
      requests.push({ method: 'POST', url: new URL(request.url), body });
      const seconds = body.permanent ? null : (body.duration as number);
      const ban = makeBan(body.ip, {
        reason: body.reason,
        duration: seconds ?? -1,
        until: seconds === null ? null : new Date(Date.now() + seconds * 1000).toISOString(),
      });
      bans.unshift(ban);
      return HttpResponse.json(ban, { status: 201 });
    }),
    http.delete(proxied('admin/security/ban'), async ({ request }) => {
      const body = (await request.json()) as { ip: string; reason: string };
      requests.push({ method: 'DELETE', url: new URL(request.url), body });
      const { ip } = body;
      const lifted = bans.filter((b) => b.active && b.ip === ip);
      if (lifted.length === 0) {
        return HttpResponse.json({ message: `no ban of ${ip} is in force` }, { status: 404 });
      }
      for (const ban of lifted) {
        Object.assign(ban, { active: false, liftedAt: new Date().toISOString(), liftReason: body.reason });
      }
      return HttpResponse.json({ lifted });
    }),
  ];
  return { bans, requests, handlers };
}
