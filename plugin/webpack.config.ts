import type { Configuration } from 'webpack';
import CopyWebpackPlugin from 'copy-webpack-plugin';
import grafanaConfig, { type Env } from './.config/webpack/webpack.config';

/**
 * create-plugin's configuration, extended as https://grafana.com/developers/plugin-tools/how-to-guides/extend-configurations
 * says: it copies the logos of the app's plugin.json only, and Grafana resolves a nested plugin's logos against the
 * nested plugin's own folder, so the data source gets the app's logo at its `img/logo.svg`.
 */
const config = async (env: Env): Promise<Configuration> => {
  const baseConfig = await grafanaConfig(env);
  return {
    ...baseConfig,
    plugins: [
      ...(baseConfig.plugins ?? []),
      new CopyWebpackPlugin({ patterns: [{ from: 'img/logo.svg', to: 'datasource/img/logo.svg' }] }),
    ],
  };
};

export default config;
