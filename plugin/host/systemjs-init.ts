// Imported LAST (see host.tsx): SystemJS's AMD extra installs a global `define` that would hijack UMD bundles
// evaluated after it. Grafana does the same: the AMD define moves to window.__grafana_amd_define and plugin sources
// are wrapped `(function(define){…})(window.__grafana_amd_define)` in a fetch hook
// (public/app/features/plugins/loader/systemjsHooks.ts).
import 'systemjs/dist/system.js';
import 'systemjs/dist/extras/amd.js';

interface SystemLoaderPrototype {
  shouldFetch: () => boolean;
  fetch: (url: string, options?: RequestInit) => Promise<Response>;
}

const w = window as unknown as Record<string, unknown> & {
  System: { constructor: { prototype: SystemLoaderPrototype } };
};
w.__grafana_amd_define = w.define;
delete w.define;
const proto = w.System.constructor.prototype;
proto.shouldFetch = () => true;
const originalFetch = proto.fetch;
proto.fetch = async function (this: unknown, url: string, options?: RequestInit) {
  const res = await originalFetch.call(this, url, options);
  const type = res.headers.get('content-type') || '';
  if (!/^(text|application)\/(x-)?javascript(;|$)/.test(type)) {
    return res;
  }
  const source = await res.text();
  const wrapped = /\bdefine\(/.test(source)
    ? `(function(define){\n${source}\n})(window.__grafana_amd_define);`
    : source;
  return new Response(new Blob([wrapped], { type: 'text/javascript' }));
};

export {};
