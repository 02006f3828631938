import { request } from './client';
import type { SecurityEventsPage, SecuritySeries, SecurityStats } from './types';

/** A window ending now, resolved when the request is made (so each refresh moves it forward). */
export interface TrailingWindow {
  /** Length of the window in seconds. */
  seconds: number;
}

function windowParams({ seconds }: TrailingWindow, now = Date.now()) {
  return { from: new Date(now - seconds * 1000).toISOString(), to: new Date(now).toISOString() };
}

/** Events per type and severity, bans in force and the most active addresses over the window. */
export function getSecurityStats(window: TrailingWindow): Promise<SecurityStats> {
  return request<SecurityStats>({ path: 'api/security/stats', params: windowParams(window) });
}

/** Events per type per bucket over the window; `interval` in seconds (the backend picks one when absent). */
export function getEventSeries(window: TrailingWindow, interval?: number): Promise<SecuritySeries> {
  return request<SecuritySeries>({ path: 'api/security/stats/series', params: { ...windowParams(window), interval } });
}

/** The newest security events (event time), first page only. */
export function listRecentSecurityEvents(limit: number): Promise<SecurityEventsPage> {
  return request<SecurityEventsPage>({ path: 'api/security/events', params: { limit } });
}
