/** Writes a folder atomically: into a temporary sibling, renamed over the target at the end. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function writeDirAtomic(outDir: string, fill: (tmpDir: string) => void): void {
  const parent = path.dirname(path.resolve(outDir));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(outDir)}.tmp-`));
  try {
    fill(tmp);
    if (fs.existsSync(outDir)) {
      const old = `${tmp}.old`;
      fs.renameSync(outDir, old);
      fs.renameSync(tmp, outDir);
      fs.rmSync(old, { recursive: true, force: true });
    } else fs.renameSync(tmp, outDir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
