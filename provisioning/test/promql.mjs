// PromQL and LogQL parsing with the grammars Grafana's own query editors use (no server needed).
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';

function syntaxErrors(tree, text) {
  const errors = [];
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: "${text.slice(Math.max(0, node.from - 15), node.to + 15)}"`);
    },
  });
  return errors;
}

/** Syntax errors of a PromQL expression (empty when it parses). */
export function promqlErrors(expr) {
  return syntaxErrors(promqlParser.parse(expr), expr);
}

/** Syntax errors of a LogQL query (empty when it parses). */
export function logqlErrors(query) {
  return syntaxErrors(logqlParser.parse(query), query);
}

/** The metric names a PromQL expression selects (vector and range selectors). */
export function selectedMetrics(expr) {
  const names = new Set();
  promqlParser.parse(expr).iterate({
    enter: (node) => {
      if (node.name === 'VectorSelector') {
        const identifier = node.node.getChild('Identifier');
        if (identifier) names.add(expr.slice(identifier.from, identifier.to));
      }
    },
  });
  return [...names].sort();
}
