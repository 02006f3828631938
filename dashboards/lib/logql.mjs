// LogQL read with Grafana's Lezer grammar (@grafana/lezer-logql, what Grafana's Loki editor uses): syntax
// errors, the stream selector's labels, and every label or extracted field the pipeline refers to.
import { parser } from '@grafana/lezer-logql';
import { syntaxErrorsOf } from './lezer.mjs';

export function syntaxErrors(expr) {
  return syntaxErrorsOf(parser, expr);
}

/**
 * `stream`: `{ label, value }` of each stream-selector matcher; `labels`: every other identifier (label filters,
 * `by`/`without`, `unwrap`), which after `| json` name fields of the log line.
 */
export function references(expr) {
  const stream = [];
  const labels = [];
  parser.parse(expr).iterate({
    enter(ref) {
      if (ref.name === 'Selector') {
        for (let matcher = ref.node.getChild('Matchers')?.firstChild; matcher; matcher = matcher.nextSibling) {
          if (matcher.name !== 'Matcher') continue;
          const label = matcher.getChild('Identifier');
          const value = matcher.getChild('String');
          stream.push({
            label: label && expr.slice(label.from, label.to),
            value: value && JSON.parse(expr.slice(value.from, value.to)),
          });
        }
        return false;
      }
      if (ref.name === 'Identifier') labels.push(expr.slice(ref.from, ref.to));
    },
  });
  return { stream, labels };
}
