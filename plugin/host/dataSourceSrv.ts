// Grafana's DatasourceSrv (public/app/features/plugins/datasource_srv.ts) for the data sources the host was started
// with: instance settings from bootData (config.datasources), the plugin module imported with SystemJS as Grafana
// does (importDataSourcePlugin), one instance per data source built with the plugin's DataSourceClass.
import type { DataSourceApi, DataSourceInstanceSettings, DataSourcePlugin, DataSourceRef } from '@grafana/data';
import { config, type DataSourceSrv } from '@grafana/runtime';

type ImportModule = (path: string) => Promise<Record<string, unknown>>;

export function createDataSourceSrv(importModule: ImportModule): DataSourceSrv {
  const instances = new Map<string, Promise<DataSourceApi>>();
  const all = (): DataSourceInstanceSettings[] => Object.values(config.datasources);
  const find = (ref?: DataSourceRef | string | null) => {
    const key = typeof ref === 'string' ? ref : ref?.uid;
    return all().find((ds) => ds.uid === key || ds.name === key);
  };

  async function instantiate(settings: DataSourceInstanceSettings): Promise<DataSourceApi> {
    const exports = await importModule(`/${settings.meta.module}`);
    const plugin = exports.plugin as DataSourcePlugin<DataSourceApi> | undefined;
    if (!plugin?.DataSourceClass) {
      throw new Error(`${settings.meta.module} exports no data source plugin`);
    }
    plugin.meta = settings.meta;
    const instance = new plugin.DataSourceClass(settings);
    instance.components = plugin.components;
    instance.meta = settings.meta;
    return instance;
  }

  return {
    get(ref) {
      const settings = find(ref);
      if (!settings) {
        return Promise.reject(new Error(`Datasource ${JSON.stringify(ref)} was not found`));
      }
      if (!instances.has(settings.uid)) {
        instances.set(settings.uid, instantiate(settings));
      }
      return instances.get(settings.uid) as Promise<DataSourceApi>;
    },
    getList: () => all(),
    getInstanceSettings: (ref) => find(ref),
    reload: () => instances.clear(),
    registerRuntimeDataSource: () => {},
  };
}
