// A parser for the subset of the Alloy configuration syntax that provisioning/alloy/config.alloy uses (blocks,
// attributes, strings, numbers, booleans, arrays, objects, component references), strict enough to reject what
// Alloy rejects in that subset: unbalanced brackets, a missing comma before a line break in an array or object,
// an unknown token. No Alloy binary is packaged for Debian; this is what CI can run.
// Syntax reference: https://grafana.com/docs/alloy/latest/get-started/configuration-syntax/syntax/

const PUNCTUATION = new Set(['{', '}', '[', ']', '(', ')', '=', ',', '.']);

/** Tokens with their line and whether a line break precedes them. */
export function tokenize(text) {
  const tokens = [];
  let i = 0;
  let line = 1;
  let newline = false;
  const push = (type, value) => {
    tokens.push({ type, value, line, newline });
    newline = false;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line += 1;
      newline = true;
      i += 1;
    } else if (/\s/.test(c)) {
      i += 1;
    } else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) throw new SyntaxError(`line ${line}: unterminated comment`);
      line += text.slice(i, end).split('\n').length - 1;
      i = end + 2;
    } else if (c === '"') {
      let value = '';
      i += 1;
      while (text[i] !== '"') {
        if (i >= text.length || text[i] === '\n') throw new SyntaxError(`line ${line}: unterminated string`);
        if (text[i] === '\\') {
          const escaped = text[i + 1];
          if (!'"\\nrt'.includes(escaped)) throw new SyntaxError(`line ${line}: unknown escape \\${escaped}`);
          value += { n: '\n', r: '\r', t: '\t' }[escaped] ?? escaped;
          i += 2;
        } else {
          value += text[i];
          i += 1;
        }
      }
      i += 1;
      push('string', value);
    } else if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end === -1) throw new SyntaxError(`line ${line}: unterminated raw string`);
      push('string', text.slice(i + 1, end));
      line += text.slice(i, end).split('\n').length - 1;
      i = end + 1;
    } else if (/[0-9]/.test(c)) {
      const match = /^[0-9]+(\.[0-9]+)?/.exec(text.slice(i));
      push('number', Number(match[0]));
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
      push('ident', match[0]);
      i += match[0].length;
    } else if (PUNCTUATION.has(c)) {
      push(c, c);
      i += 1;
    } else {
      throw new SyntaxError(`line ${line}: unexpected character ${JSON.stringify(c)}`);
    }
  }
  push('eof', null);
  return tokens;
}

/**
 * Parses a configuration into { blocks, attributes } bodies. Blocks are { name: 'loki.process', label, body,
 * line }; values are { kind: 'string' | 'number' | 'bool' | 'null' | 'array' | 'object' | 'ref', … }.
 */
export function parseAlloy(text) {
  const tokens = tokenize(text);
  let pos = 0;
  const peek = (offset = 0) => tokens[pos + offset];
  const next = () => tokens[pos++];
  const expect = (type) => {
    const token = next();
    if (token.type !== type)
      throw new SyntaxError(`line ${token.line}: expected ${type}, found ${token.value ?? 'end of file'}`);
    return token;
  };

  function parseList(close, parseItem) {
    const items = [];
    while (peek().type !== close) {
      items.push(parseItem());
      if (peek().type === ',') {
        next();
      } else if (peek().type !== close) {
        throw new SyntaxError(`line ${peek().line}: expected "," or "${close}"`);
      } else if (peek().newline) {
        throw new SyntaxError(
          `line ${peek().line}: a "," is required before a line break inside ${close === ']' ? 'an array' : 'an object'}`
        );
      }
    }
    next();
    return items;
  }

  function parseValue() {
    const token = next();
    if (token.type === 'string') return { kind: 'string', value: token.value };
    if (token.type === 'number') return { kind: 'number', value: token.value };
    if (token.type === '[') return { kind: 'array', items: parseList(']', parseValue) };
    if (token.type === '{') {
      const entries = parseList('}', () => {
        const key = next();
        if (key.type !== 'ident' && key.type !== 'string') throw new SyntaxError(`line ${key.line}: bad object key`);
        expect('=');
        return [key.value, parseValue()];
      });
      return { kind: 'object', entries: Object.fromEntries(entries) };
    }
    if (token.type === 'ident') {
      if (token.value === 'true' || token.value === 'false') return { kind: 'bool', value: token.value === 'true' };
      if (token.value === 'null') return { kind: 'null' };
      const path = [token.value];
      while (peek().type === '.') {
        next();
        path.push(expect('ident').value);
      }
      if (peek().type === '(') {
        next();
        return { kind: 'call', name: path.join('.'), args: parseList(')', parseValue) };
      }
      return { kind: 'ref', path: path.join('.'), line: token.line };
    }
    throw new SyntaxError(`line ${token.line}: unexpected ${token.value ?? 'end of file'}`);
  }

  function parseBody(close) {
    const body = { blocks: [], attributes: {} };
    while (peek().type !== close) {
      const start = expect('ident');
      if (peek().type === '=') {
        next();
        if (start.value in body.attributes) throw new SyntaxError(`line ${start.line}: ${start.value} set twice`);
        body.attributes[start.value] = parseValue();
        continue;
      }
      const name = [start.value];
      while (peek().type === '.') {
        next();
        name.push(expect('ident').value);
      }
      const label = peek().type === 'string' ? next().value : undefined;
      expect('{');
      body.blocks.push({ name: name.join('.'), label, body: parseBody('}'), line: start.line });
      next();
    }
    return body;
  }

  const body = parseBody('eof');
  return body;
}

/** A value as plain JavaScript (references as their dotted path). */
export function plain(value) {
  switch (value.kind) {
    case 'array':
      return value.items.map(plain);
    case 'object':
      return Object.fromEntries(Object.entries(value.entries).map(([key, item]) => [key, plain(item)]));
    case 'ref':
      return `@${value.path}`;
    case 'null':
      return null;
    default:
      return value.value;
  }
}
