// Holds a query to the allow-list (metrics.json): every metric, label, grouping and legend label must exist
// where the query reads it, and counters and histograms must be read the way their type requires.
import * as logql from './logql.mjs';
import * as promql from './promql.mjs';

const HISTOGRAM_PARTS = ['_bucket', '_sum', '_count'];

/** The allow-list entry of a series name, with the labels it really has (`le` on buckets). */
export function resolveMetric(name, allow) {
  const direct = allow.metrics[name];
  if (direct) return { ...direct, name, labels: [...direct.labels, ...allow.targetLabels] };
  for (const part of HISTOGRAM_PARTS) {
    if (!name.endsWith(part)) continue;
    const base = name.slice(0, -part.length);
    const entry = allow.metrics[base];
    if (entry?.type !== 'histogram') continue;
    const labels = [...entry.labels, ...allow.targetLabels, ...(part === '_bucket' ? ['le'] : [])];
    return { ...entry, name, base, part, labels, type: part === '_bucket' ? 'histogram bucket' : 'counter' };
  }
  return undefined;
}

const legendLabels = (legendFormat = '') => [...legendFormat.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]);

/** Problems with one PromQL expression (Grafana variables already replaced); empty when it is sound. */
export function checkPromql(expr, allow, { legendFormat } = {}) {
  const problems = promql.syntaxErrors(expr).map((e) => `syntax error at ${e.at}: …${e.near}…`);
  if (problems.length > 0) return problems;
  const selectors = promql.selectors(expr).map((s) => ({ ...s, entry: s.metric && resolveMetric(s.metric, allow) }));
  for (const { metric, labels, entry } of selectors) {
    if (!metric) problems.push('a selector without a metric name');
    else if (!entry) problems.push(`metric ${metric} is not in metrics.json`);
    else
      for (const label of labels) if (!entry.labels.includes(label)) problems.push(`${metric} has no label ${label}`);
  }
  const known = selectors.filter((s) => s.entry);
  const labelsWithin = (from, to) =>
    new Set(known.filter((s) => s.from >= from && s.to <= to).flatMap((s) => s.entry.labels));
  for (const grouping of promql.groupings(expr)) {
    const available = labelsWithin(grouping.from, grouping.to);
    if (available.size === 0) continue;
    for (const label of grouping.labels) {
      if (!available.has(label))
        problems.push(`grouping by ${label}, which no metric in "${expr.slice(grouping.from, grouping.to)}" has`);
    }
  }
  for (const call of promql.calls(expr, ['rate', 'irate', 'increase'])) {
    for (const s of known.filter((s) => s.from >= call.from && s.to <= call.to)) {
      if (!['counter', 'histogram bucket'].includes(s.entry.type))
        problems.push(`${call.name}() of ${s.metric}, a ${s.entry.type}`);
    }
  }
  for (const call of promql.calls(expr, ['histogram_quantile'])) {
    const inside = known.filter((s) => s.from >= call.from && s.to <= call.to);
    if (!inside.some((s) => s.entry.part === '_bucket')) problems.push('histogram_quantile() without a _bucket series');
  }
  const everyLabel = labelsWithin(0, expr.length);
  for (const label of legendLabels(legendFormat)) {
    if (!everyLabel.has(label)) problems.push(`legend {{${label}}}: no metric in the query has that label`);
  }
  return problems;
}

/** Problems with one LogQL expression (Grafana variables already replaced); empty when it is sound. */
export function checkLogql(expr, allow, { legendFormat } = {}) {
  const problems = logql.syntaxErrors(expr).map((e) => `syntax error at ${e.at}: …${e.near}…`);
  if (problems.length > 0) return problems;
  const { streamLabels, fields } = allow.logs;
  const { stream, labels } = logql.references(expr);
  if (stream.length === 0) problems.push('no stream selector');
  for (const { label, value } of stream) {
    if (!(label in streamLabels)) problems.push(`stream label ${label} is not in metrics.json`);
    else if (!streamLabels[label].includes(value)) problems.push(`stream ${label}="${value}" is not in metrics.json`);
  }
  const known = new Set([...Object.keys(streamLabels), ...fields, '__error__', '__error_details__']);
  for (const label of [...labels, ...legendLabels(legendFormat)]) {
    if (!known.has(label)) problems.push(`label or field ${label} is not in metrics.json`);
  }
  return problems;
}
