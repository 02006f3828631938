// Dashboard variables as Grafana's TemplateSrv interpolates them (public/app/features/templating/template_srv.ts),
// for the syntaxes a query uses: $name, ${name}, ${name:format} and [[name]]; scoped variables first; a multi-value
// variable as {a,b} by default (glob) or a,b with the csv format. Grafana provides the real one to plugins.
import type { ScopedVars, TimeRange, TypedVariableModel } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?::(\w+))?}/g;

export type VariableValues = Record<string, string | string[]>;

function format(value: string | string[], fmt?: string): string {
  if (!Array.isArray(value)) {
    return value;
  }
  if (fmt === 'csv') {
    return value.join(',');
  }
  return value.length === 1 ? value[0] : `{${value.join(',')}}`;
}

export function createTemplateSrv(variables: VariableValues = {}): TemplateSrv & { variables: VariableValues } {
  const valueOf = (name: string, scopedVars?: ScopedVars): string | string[] | undefined => {
    const scoped = scopedVars?.[name]?.value;
    if (scoped !== undefined && scoped !== null) {
      return Array.isArray(scoped) ? scoped.map(String) : String(scoped);
    }
    return variables[name];
  };
  return {
    variables,
    getVariables: () => [] as TypedVariableModel[],
    replace(target?: string, scopedVars?: ScopedVars, fmt?: unknown) {
      if (!target) {
        return target ?? '';
      }
      return target.replace(VARIABLE, (match, plain, bracket, bracketFmt, braced, bracedFmt) => {
        const value = valueOf(plain ?? bracket ?? braced, scopedVars);
        if (value === undefined) {
          return match;
        }
        return format(value, bracketFmt ?? bracedFmt ?? (typeof fmt === 'string' ? fmt : undefined));
      });
    },
    containsTemplate(target?: string) {
      return Boolean(target && [...target.matchAll(VARIABLE)].some((m) => valueOf(m[1] ?? m[2] ?? m[4]) !== undefined));
    },
    updateTimeRange(_timeRange: TimeRange) {},
  };
}
