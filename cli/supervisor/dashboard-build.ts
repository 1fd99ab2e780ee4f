import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild, writePrefixed } from './child.ts';

const UI_DIR = fileURLToPath(new URL('../../ui', import.meta.url));
export const DEFAULT_DASHBOARD_BUILD = path.join(UI_DIR, 'build');
const UI_INPUTS = ['src', 'svelte.config.js', 'vite.config.ts'];

/**
 * Builds the dashboard (ui/ → ui/build) when its build is missing or older than its sources, so a fresh
 * clone's `npm start` serves it. A build directory set with PCS_UI_DIR is used as it is.
 */
export async function ensureDashboardBuilt(buildDir: string): Promise<void> {
  if (path.resolve(buildDir) !== DEFAULT_DASHBOARD_BUILD) return;
  const handler = path.join(buildDir, 'handler.js');
  if (existsSync(handler) && statSync(handler).mtimeMs >= newestSourceTime()) return;
  writePrefixed('pcs', 'building the dashboard (ui/ → ui/build, about 20 s)');
  const vitePackage = createRequire(import.meta.url).resolve('vite/package.json');
  const vite = path.join(path.dirname(vitePackage), 'bin', 'vite.js');
  const build = startChild('ui-build', process.execPath, [vite, 'build', '--logLevel', 'warn'], process.env, {
    cwd: UI_DIR,
  });
  const code = await build.exited;
  if (code !== 0) throw new Error(`the dashboard build failed (${code}); see the ui-build lines above`);
}

function newestSourceTime(): number {
  return Math.max(...UI_INPUTS.map((entry) => newestIn(path.join(UI_DIR, entry))));
}

function newestIn(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(entry).map((name) => newestIn(path.join(entry, name))));
}
