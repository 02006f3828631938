/**
 * The plugin zip as Grafana's packaging guide describes it
 * (https://grafana.com/developers/plugin-tools/publish-a-plugin/package-a-plugin): `dist/` renamed to the plugin id,
 * zipped as `<id>-<version>.zip`, with one entry per folder and file and the files' Unix modes (a backend binary must
 * stay 0755).
 */
import { createWriteStream } from 'node:fs';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';

export interface PackageResult {
  /** The zip written. */
  file: string;
  /** The plugin id read from the folder's plugin.json: the zip's single top-level folder. */
  pluginId: string;
  /** Every entry's name in the zip, in order: folders end with `/`. */
  entries: string[];
}

interface TreeEntry {
  /** Path relative to the root, with `/` separators. */
  name: string;
  isDirectory: boolean;
}

/** Every folder and file under `dir`, sorted by name, each folder before what it holds. */
export async function listTree(dir: string, prefix = ''): Promise<TreeEntry[]> {
  const children = (await readdir(path.join(dir, prefix), { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  );
  const entries: TreeEntry[] = [];
  for (const child of children) {
    const name = prefix ? `${prefix}/${child.name}` : child.name;
    if (child.isDirectory()) {
      entries.push({ name, isDirectory: true }, ...(await listTree(dir, name)));
    } else if (child.isFile()) {
      entries.push({ name, isDirectory: false });
    } else {
      throw new Error(`${path.join(dir, name)}: only files and folders can be packaged`);
    }
  }
  return entries;
}

/** Reads the plugin id from the built folder's plugin.json, as Grafana does when it loads the plugin. */
export async function readPluginId(distDir: string): Promise<string> {
  const pluginJson = path.join(distDir, 'plugin.json');
  const { id } = JSON.parse(await readFile(pluginJson, 'utf8')) as { id?: unknown };
  if (typeof id !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)+$/.test(id)) {
    throw new Error(`${pluginJson}: "id" must be a plugin id such as myorg-name-app, got ${JSON.stringify(id)}`);
  }
  return id;
}

/**
 * Zips `distDir` as `<outDir>/<id>-<version>.zip` with everything under a single `<id>/` folder. The zip is written
 * beside its final name and renamed when complete, so a failed run never leaves a truncated zip behind.
 */
export async function packagePlugin(distDir: string, outDir: string, version: string): Promise<PackageResult> {
  const pluginId = await readPluginId(distDir);
  const file = path.join(outDir, `${pluginId}-${version}.zip`);
  const partial = `${file}.partial`;
  const zip = new ZipFile();
  const written = pipeline(zip.outputStream, createWriteStream(partial));
  const rootStat = await stat(distDir);
  const entries = [`${pluginId}/`];
  zip.addEmptyDirectory(pluginId, { mtime: rootStat.mtime, mode: rootStat.mode });
  for (const entry of await listTree(distDir)) {
    const source = path.join(distDir, entry.name);
    const name = `${pluginId}/${entry.name}`;
    if (entry.isDirectory) {
      const { mtime, mode } = await stat(source);
      zip.addEmptyDirectory(name, { mtime, mode });
      entries.push(`${name}/`);
    } else {
      // Modes and times come from the file itself.
      zip.addFile(source, name);
      entries.push(name);
    }
  }
  zip.end();
  try {
    await written;
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return { file, pluginId, entries };
}
