// The routers Grafana 12.4 itself shares with plugins, resolved from @grafana/ui's own dependencies by build.mjs
// (react-router-dom@5 as "react-router-dom", react-router-dom-v5-compat as "react-router").
declare module 'grafana-router-v5' {
  import type { ComponentType, ReactNode } from 'react';
  export const Router: ComponentType<{ history: unknown; children?: ReactNode }>;
}
declare module 'grafana-router-v6' {
  export * from 'react-router-dom';
  import type { ComponentType, ReactNode } from 'react';
  export const CompatRouter: ComponentType<{ children?: ReactNode }>;
}
declare module 'systemjs/dist/system.js';
declare module 'systemjs/dist/extras/amd.js';
declare module 'grafana-runtime-internal' {
  import type { ComponentType } from 'react';
  import type { PluginPageProps } from '@grafana/runtime';
  export function setPluginPage(component: ComponentType<PluginPageProps>): void;
}
