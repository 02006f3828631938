/**
 * @jest-environment node
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Readable } from 'node:stream';
import { type Entry, fromBuffer, type ZipFile } from 'yauzl';
import { packagePlugin } from './packagePlugin';

interface ZipEntry {
  name: string;
  /** Unix permission bits (the file type bits left out). */
  permissions: number;
  /** A file's uncompressed bytes; null for a folder. */
  bytes: Buffer | null;
}

/** Reads every entry of a zip with yauzl, a reader independent of the writer: name, permissions and bytes. */
async function readZip(file: string): Promise<ZipEntry[]> {
  const buffer = await readFile(file);
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    fromBuffer(buffer, { lazyEntries: true }, (err, opened) => (err ? reject(err) : resolve(opened)))
  );
  const entries: ZipEntry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: Entry) => {
      const permissions = (entry.externalFileAttributes >>> 16) & 0o777;
      if (entry.fileName.endsWith('/')) {
        entries.push({ name: entry.fileName, permissions, bytes: null });
        zip.readEntry();
        return;
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err) {
          reject(err);
          return;
        }
        collect(stream).then((bytes) => {
          entries.push({ name: entry.fileName, permissions, bytes });
          zip.readEntry();
        }, reject);
      });
    });
    zip.readEntry();
  });
  return entries;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** A built plugin folder as webpack leaves it: an app with a nested data source, a logo and a backend binary. */
const distFiles: Record<string, Buffer> = {
  'plugin.json': Buffer.from(JSON.stringify({ type: 'app', id: 'acme-test-app', info: { version: '2.3.4' } })),
  'module.js': Buffer.from('define(["react"], function (React) { return {}; });\n'),
  'README.md': Buffer.from('# Acme test app\n'),
  'img/logo.svg': Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'),
  'datasource/plugin.json': Buffer.from(JSON.stringify({ type: 'datasource', id: 'acme-test-datasource' })),
  'datasource/module.js': Buffer.from('define([], function () { return {}; });\n'),
  // Incompressible bytes, larger than one deflate block.
  'datasource/img/blob.bin': randomBytes(200_000),
  gpx_acme_linux_amd64: randomBytes(4096),
};

describe('packagePlugin', () => {
  let work: string;
  let dist: string;

  beforeEach(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'package-plugin-'));
    dist = path.join(work, 'dist');
    for (const [name, bytes] of Object.entries(distFiles)) {
      await mkdir(path.dirname(path.join(dist, name)), { recursive: true });
      await writeFile(path.join(dist, name), bytes);
    }
    await chmod(path.join(dist, 'gpx_acme_linux_amd64'), 0o755);
  });

  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('zips the folder as <id>-<version>.zip under a single folder named after the plugin id', async () => {
    const result = await packagePlugin(dist, work, '2.3.4');

    expect(result.file).toBe(path.join(work, 'acme-test-app-2.3.4.zip'));
    expect(result.pluginId).toBe('acme-test-app');
    const entries = await readZip(result.file);
    expect(entries.map((e) => e.name)).toEqual([
      'acme-test-app/',
      'acme-test-app/README.md',
      'acme-test-app/datasource/',
      'acme-test-app/datasource/img/',
      'acme-test-app/datasource/img/blob.bin',
      'acme-test-app/datasource/module.js',
      'acme-test-app/datasource/plugin.json',
      'acme-test-app/gpx_acme_linux_amd64',
      'acme-test-app/img/',
      'acme-test-app/img/logo.svg',
      'acme-test-app/module.js',
      'acme-test-app/plugin.json',
    ]);
    expect(result.entries).toEqual(entries.map((e) => e.name));
    // Nothing else is left beside the zip (no partial file).
    expect((await readdir(work)).sort()).toEqual(['acme-test-app-2.3.4.zip', 'dist']);
  });

  it('unzips to the same bytes, with the executable bit of a backend binary kept', async () => {
    const { file } = await packagePlugin(dist, work, '2.3.4');

    const files = (await readZip(file)).filter((e) => e.bytes !== null);
    expect(files).toHaveLength(Object.keys(distFiles).length);
    for (const entry of files) {
      const name = entry.name.slice('acme-test-app/'.length);
      expect({ name, equal: entry.bytes?.equals(distFiles[name]) }).toEqual({ name, equal: true });
    }
    const permissions = Object.fromEntries(files.map((e) => [e.name, e.permissions]));
    expect(permissions['acme-test-app/gpx_acme_linux_amd64']).toBe(0o755);
    expect(permissions['acme-test-app/module.js'] & 0o111).toBe(0);
  });

  it('replaces the zip of an earlier build instead of adding to it', async () => {
    await packagePlugin(dist, work, '2.3.4');
    await rm(path.join(dist, 'datasource'), { recursive: true });

    const { file } = await packagePlugin(dist, work, '2.3.4');

    const names = (await readZip(file)).map((e) => e.name);
    expect(names).not.toContain('acme-test-app/datasource/');
    expect(names).toContain('acme-test-app/module.js');
  });

  it('refuses a folder whose plugin.json has no valid plugin id, and writes nothing', async () => {
    await writeFile(path.join(dist, 'plugin.json'), JSON.stringify({ type: 'app', id: 'Not An Id' }));

    await expect(packagePlugin(dist, work, '2.3.4')).rejects.toThrow(/"id" must be a plugin id/);
    await rm(path.join(dist, 'plugin.json'));
    await expect(packagePlugin(dist, work, '2.3.4')).rejects.toThrow(/ENOENT/);
    expect(await readdir(work)).toEqual(['dist']);
  });
});
