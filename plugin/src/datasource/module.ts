import { DataSourcePlugin } from '@grafana/data';
import { ConfigEditor } from './components/ConfigEditor/ConfigEditor';
import { QueryEditor } from './components/QueryEditor/QueryEditor';
import { DataSource } from './DataSource';
import type { SecopsOptions, SecopsQuery, SecopsSecureOptions } from './types';

export const plugin = new DataSourcePlugin<DataSource, SecopsQuery, SecopsOptions, SecopsSecureOptions>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
