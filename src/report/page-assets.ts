/**
 * What a report page needs from disk, for the report writer: the Vega, Vega-Lite and vega-embed
 * bundles inlined into every page (so it works offline), and the list of a report folder's data
 * files with their sizes (the page links them). The page template itself (html.ts) reads nothing.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
let assetsCache: string | null = null;

/** The three UMD bundles, inlined once per process. */
export function vegaAssets(): string {
  if (assetsCache) return assetsCache;
  const read = (pkg: string, file: string) => readFileSync(path.join(packageRoot(pkg), file), 'utf8').replace(/<\/script/gi, '<\\/script');
  assetsCache = [
    ['vega', 'build/vega.min.js'],
    ['vega-lite', 'build/vega-lite.min.js'],
    ['vega-embed', 'build/vega-embed.min.js'],
  ]
    .map(([pkg, file]) => `<script>${read(pkg, file)}</script>`)
    .join('\n');
  return assetsCache;
}

/** Folder of an installed package (its `exports` hide package.json, so walk up from its entry). */
function packageRoot(pkg: string): string {
  let dir = path.dirname(require.resolve(pkg));
  while (!existsSync(path.join(dir, 'package.json')) || JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name !== pkg) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the ${pkg} package`);
    dir = up;
  }
  return dir;
}

/** The data files of a report folder (everything but the page itself), for links. */
export function reportFiles(dir: string): { path: string; bytes: number }[] {
  const out: { path: string; bytes: number }[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.') || (rel === '' && e.name === 'index.html')) continue;
      if (e.isDirectory()) walk(path.join(d, e.name), `${rel}${e.name}/`);
      else out.push({ path: `${rel}${e.name}`, bytes: statSync(path.join(d, e.name)).size });
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return out;
}
