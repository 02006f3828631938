// PromQL read with Prometheus's own Lezer grammar (the one its web UI uses): syntax errors, and what an
// expression selects and groups by, so the tests can hold every query to the metric allow-list.
import { parser } from '@prometheus-io/lezer-promql';
import { syntaxErrorsOf } from './lezer.mjs';

/** Positions of the parser's error nodes: empty when the expression is valid PromQL. */
export function syntaxErrors(expr) {
  return syntaxErrorsOf(parser, expr);
}

const childrenNamed = (node, name) => {
  const out = [];
  for (let child = node.firstChild; child; child = child.nextSibling) if (child.name === name) out.push(child);
  return out;
};

/** Each vector selector: its metric name and the label names its matchers use. */
export function selectors(expr) {
  const found = [];
  parser.parse(expr).iterate({
    enter(ref) {
      if (ref.name !== 'VectorSelector') return;
      const node = ref.node;
      const metric = childrenNamed(node, 'Identifier')[0];
      const labels = [];
      for (const matchers of childrenNamed(node, 'LabelMatchers')) {
        for (let matcher = matchers.firstChild; matcher; matcher = matcher.nextSibling) {
          const name = matcher.getChild('LabelName') ?? matcher.getChild('QuotedLabelName');
          if (name) labels.push(expr.slice(name.from, name.to).replace(/^"|"$/g, ''));
        }
      }
      found.push({
        metric: metric ? expr.slice(metric.from, metric.to) : undefined,
        labels,
        from: ref.from,
        to: ref.to,
      });
      return false;
    },
  });
  return found;
}

/**
 * Each `by (…)`, `without (…)`, `on (…)`, `ignoring (…)` and `group_left/right (…)` label list, with the range
 * of the expression it applies to (so the caller can check the labels exist on the metrics inside it).
 */
export function groupings(expr) {
  const found = [];
  parser.parse(expr).iterate({
    enter(ref) {
      if (ref.name !== 'GroupingLabels') return;
      const scope = ref.node.parent?.parent ?? ref.node;
      const labels = childrenNamed(ref.node, 'LabelName').map((n) => expr.slice(n.from, n.to));
      found.push({ labels, from: scope.from, to: scope.to });
    },
  });
  return found;
}

/** Each call of `names` (e.g. rate, increase) with the range of its arguments. */
export function calls(expr, names) {
  const found = [];
  parser.parse(expr).iterate({
    enter(ref) {
      if (ref.name !== 'FunctionCall') return;
      const id = ref.node.getChild('FunctionIdentifier');
      const name = id && expr.slice(id.from, id.to);
      if (names.includes(name)) found.push({ name, from: ref.from, to: ref.to });
    },
  });
  return found;
}
