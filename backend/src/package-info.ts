import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let root: string | undefined;

/** The backend package folder (holds `package.json` and `migrations/`), from sources and from `dist/` alike. */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('backend package.json not found');
    dir = parent;
  }
  root = dir;
  return dir;
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
