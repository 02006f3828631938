// What the PromQL and LogQL readers share: the error nodes a Lezer grammar leaves in a parse tree.

/** Positions of `parser`'s error nodes in `expr`, with some context: empty when the expression is valid. */
export function syntaxErrorsOf(parser, expr) {
  const errors = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError)
        errors.push({ at: node.from, near: expr.slice(Math.max(0, node.from - 20), node.to + 20) });
    },
  });
  return errors;
}
