/**
 * The audit log filters as they live in the page URL (strings, `''` = unset) and as the API takes them.
 * Dates may be absolute (ISO 8601) or relative the way Grafana writes them (`now-24h`).
 */
import { dateMath } from '@grafana/data';
import type { AuditFilter, AuditStatus } from '../api/types';
import { validateIpOrCidr } from './ip';

export const FILTER_KEYS = ['q', 'user', 'action', 'ip', 'status', 'from', 'to'] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type FilterValues = Record<FilterKey, string>;

export const EMPTY_FILTERS: FilterValues = { q: '', user: '', action: '', ip: '', status: '', from: '', to: '' };

const STATUSES: readonly AuditStatus[] = ['success', 'failure'];

export function filtersFromSearch(params: URLSearchParams): FilterValues {
  const values = { ...EMPTY_FILTERS };
  for (const key of FILTER_KEYS) {
    values[key] = params.get(key)?.trim() ?? '';
  }
  return values;
}

/** Writes the filters into `params`, leaving its other keys (e.g. the open entry) alone. */
export function filtersToSearch(values: FilterValues, params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const key of FILTER_KEYS) {
    if (values[key]) {
      next.set(key, values[key]);
    } else {
      next.delete(key);
    }
  }
  return next;
}

export function hasFilters(values: FilterValues): boolean {
  return FILTER_KEYS.some((key) => values[key] !== '');
}

/** An instant from an ISO date or a Grafana relative time; `roundUp` for the end of a range (`now/d`). */
export function resolveTime(raw: string, roundUp: boolean): string | undefined {
  if (raw === '') {
    return undefined;
  }
  if (raw.startsWith('now')) {
    const parsed = dateMath.toDateTime(raw, { roundUp });
    return parsed?.isValid() ? parsed.toISOString() : undefined;
  }
  const date = new Date(raw);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Per-field problems that would make the backend answer 400; the filter is not sent while there are any. */
export function filterErrors(values: FilterValues): Partial<Record<FilterKey, string>> {
  const errors: Partial<Record<FilterKey, string>> = {};
  const ip = validateIpOrCidr(values.ip);
  if (ip) {
    errors.ip = ip;
  }
  if (values.status && !STATUSES.includes(values.status as AuditStatus)) {
    errors.status = 'Status is success or failure';
  }
  for (const key of ['from', 'to'] as const) {
    if (values[key] && resolveTime(values[key], key === 'to') === undefined) {
      errors[key] = 'Not a date (ISO 8601) or a relative time such as now-24h';
    }
  }
  const from = resolveTime(values.from, false);
  const to = resolveTime(values.to, true);
  if (from && to && from > to) {
    errors.to = 'The end of the range is before its start';
  }
  return errors;
}

/** The filter as the API takes it (relative times resolved now). */
export function toApiFilter(values: FilterValues): AuditFilter {
  const filter: AuditFilter = {};
  if (values.q) {
    filter.q = values.q;
  }
  if (values.user) {
    filter.user = values.user;
  }
  if (values.action) {
    filter.action = values.action;
  }
  if (values.ip) {
    filter.ip = values.ip;
  }
  if (STATUSES.includes(values.status as AuditStatus)) {
    filter.status = values.status as AuditStatus;
  }
  const from = resolveTime(values.from, false);
  const to = resolveTime(values.to, true);
  if (from) {
    filter.from = from;
  }
  if (to) {
    filter.to = to;
  }
  return filter;
}
