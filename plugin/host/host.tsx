// The test host page: loads the plugin's built dist/module.js the way Grafana 12 does (SystemJS with the shared
// modules of public/app/features/plugins/loader/sharedDependencies.ts) and provides the runtime services an app
// plugin uses. window.grafanaBootData is set by server.mjs before this bundle runs, as Grafana's index.html does.
import React, { useEffect, useState } from 'react';
import * as ReactNS from 'react';
import * as ReactDOMNS from 'react-dom';
import * as ReactDOMClient from 'react-dom/client';
import * as JsxRuntime from 'react/jsx-runtime';
import * as grafanaData from '@grafana/data';
import * as grafanaUI from '@grafana/ui';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaI18n from '@grafana/i18n';
import * as rxjs from 'rxjs';
import * as rxjsOperators from 'rxjs/operators';
import * as emotionCss from '@emotion/css';
import * as emotionReact from '@emotion/react';
import * as lodash from 'lodash';
import i18next from 'i18next';
import moment from 'moment';
import * as RouterV5 from 'grafana-router-v5';
import * as RouterV6 from 'grafana-router-v6';
import { backendSrv } from './backendSrv';
import { HostChrome, type HostMeta } from './chrome';
import { createDataSourceSrv } from './dataSourceSrv';
import { DataSourceSettingsPage } from './dataSourcePage';
import { QueryPage } from './queryPage';
import { createTemplateSrv } from './templateSrv';
import './systemjs-init'; // must stay the last import

const { AppPlugin, PluginContextProvider, ThemeContext, EventBusSrv } = grafanaData;
const { config, locationService, locationSearchToObject } = grafanaRuntime;

// ---- 1. runtime services a plugin may call ----
grafanaRuntime.setBackendSrv(backendSrv);
const appEvents = new EventBusSrv();
grafanaRuntime.setAppEvents(appEvents);
grafanaRuntime.setEchoSrv({
  addEvent() {},
  logDebug() {},
  isEnabled: () => false,
  addBackend() {},
} as unknown as grafanaRuntime.EchoSrv);
grafanaRuntime.setPluginLinksHook(() => ({ links: [], isLoading: false }));
grafanaRuntime.setPluginComponentsHook(() => ({ components: [], isLoading: false }));
grafanaRuntime.setPluginComponentHook(() => ({ component: null, isLoading: false }));
grafanaRuntime.setPluginFunctionsHook(() => ({ functions: [], isLoading: false }));
grafanaRuntime.setTemplateSrv(createTemplateSrv());
// Do not call setLocationService: the default HistoryWrapper is what Grafana uses, and replacing it throws.

// ---- 2. SystemJS shared dependencies, as Grafana's sharedDependencies.ts and its import map ----
type Namespace = Record<string, unknown>;
const withDefault = (ns: object, def: unknown): Namespace => ({ ...ns, default: def, __useDefault: true });
const shared: Record<string, object> = {
  react: withDefault(ReactNS, React),
  'react/jsx-runtime': JsxRuntime,
  'react/jsx-dev-runtime': JsxRuntime,
  'react-dom': withDefault(ReactDOMNS, ReactDOMNS),
  'react-dom/client': ReactDOMClient,
  '@grafana/data': grafanaData,
  '@grafana/ui': grafanaUI,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/i18n': grafanaI18n,
  i18next: withDefault({}, i18next),
  rxjs,
  'rxjs/operators': rxjsOperators,
  '@emotion/css': emotionCss,
  '@emotion/react': emotionReact,
  emotion: emotionCss,
  lodash: withDefault(lodash, lodash),
  moment: withDefault({}, moment),
  // Grafana exposes react-router-dom@5 as "react-router-dom" and the v6 API (react-router-dom-v5-compat) as
  // "react-router"; plugins built with create-plugin bundle react-router-dom@6 over that "react-router".
  'react-router-dom': RouterV5,
  'react-router': RouterV6,
};
interface SystemJS {
  set: (id: string, module: object) => void;
  addImportMap: (map: { imports: Record<string, string> }) => void;
  import: (id: string) => Promise<Namespace>;
}
const System = (window as unknown as { System: SystemJS }).System;
const imports: Record<string, string> = {};
for (const [name, mod] of Object.entries(shared)) {
  System.set(`package:${name}`, mod);
  imports[name] = `package:${name}`;
}
System.addImportMap({ imports });
grafanaRuntime.setDataSourceSrv(createDataSourceSrv((path) => System.import(path)));

// ---- 3. load the plugin, mount its root page under /a/:pluginId/* and its config pages under /plugins/:pluginId ----
type AppPluginInstance = InstanceType<typeof AppPlugin>;

function AppRoot({ plugin }: { plugin: AppPluginInstance }) {
  const location = RouterV6.useLocation();
  const Root = plugin.root;
  if (!Root) {
    return <div>This app has no root page</div>;
  }
  return (
    <PluginContextProvider meta={plugin.meta}>
      <Root
        meta={plugin.meta}
        basename={`/a/${plugin.meta.id}`}
        onNavChanged={() => {}}
        query={locationSearchToObject(location.search)}
        path={location.pathname}
      />
    </PluginContextProvider>
  );
}

function ConfigPage({ plugin }: { plugin: AppPluginInstance }) {
  // Grafana shows app config pages on /plugins/<id>, one tab per configPages entry (?page=<id>).
  const location = RouterV6.useLocation();
  const query = locationSearchToObject(location.search);
  const pages = plugin.configPages ?? [];
  const page = pages.find((p) => p.id === query.page) ?? pages[0];
  if (!page) {
    return <div>No config page</div>;
  }
  const Body = page.body;
  return (
    <PluginContextProvider meta={plugin.meta}>
      <Body plugin={plugin} query={query} />
    </PluginContextProvider>
  );
}

function Toasts() {
  const [alerts, setAlerts] = useState<Array<{ id: number; severity: 'success' | 'error'; text: string }>>([]);
  useEffect(() => {
    let next = 0;
    const subscribe = (type: string, severity: 'success' | 'error') =>
      appEvents
        .getStream({ type } as unknown as grafanaData.BusEventType<grafanaData.BusEventWithPayload<unknown[]>>)
        .subscribe((event) => {
          const text = (event.payload ?? []).map(String).join(': ');
          setAlerts((current) => [...current.slice(-4), { id: next++, severity, text }]);
        });
    const subs = [
      subscribe(grafanaData.AppEvents.alertSuccess.name, 'success'),
      subscribe(grafanaData.AppEvents.alertError.name, 'error'),
    ];
    return () => subs.forEach((s) => s.unsubscribe());
  }, []);
  return (
    <div style={{ position: 'fixed', top: 56, right: 16, width: 420, zIndex: 2000 }}>
      {alerts.map((a) => (
        <grafanaUI.Alert
          key={a.id}
          severity={a.severity}
          title={a.text}
          onRemove={() => setAlerts((current) => current.filter((c) => c.id !== a.id))}
        />
      ))}
    </div>
  );
}

async function main() {
  const host = (window as unknown as { __TEST_HOST__: { pluginId: string; loaded?: boolean } }).__TEST_HOST__;
  const meta = (await backendSrv.get(`/api/plugins/${host.pluginId}/settings`)) as HostMeta;
  const exports = await System.import(`/${meta.module}`);
  const plugin = (exports.plugin as AppPluginInstance | undefined) ?? new AppPlugin();
  plugin.init(meta);
  plugin.meta = meta;
  host.loaded = true;
  const root = ReactDOMClient.createRoot(document.getElementById('reactRoot') as HTMLElement);
  root.render(
    <ThemeContext.Provider value={config.theme2}>
      <grafanaUI.GlobalStyles />
      <RouterV5.Router history={locationService.getHistory()}>
        <RouterV6.CompatRouter>
          <HostChrome meta={meta}>
            <RouterV6.Routes>
              <RouterV6.Route path="/a/:pluginId/*" element={<AppRoot plugin={plugin} />} />
              <RouterV6.Route path="/plugins/:pluginId" element={<ConfigPage plugin={plugin} />} />
              <RouterV6.Route path="/datasources/edit/:uid" element={<DataSourceSettingsPage />} />
              <RouterV6.Route path="/connections/datasources/edit/:uid" element={<DataSourceSettingsPage />} />
              <RouterV6.Route path="/datasources/query/:uid" element={<QueryPage />} />
            </RouterV6.Routes>
          </HostChrome>
          <Toasts />
        </RouterV6.CompatRouter>
      </RouterV5.Router>
    </ThemeContext.Provider>
  );
}

main().catch((e) => {
  console.error('host failed', e);
  document.body.setAttribute('data-host-error', String(e));
});
