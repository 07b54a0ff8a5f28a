/**
 * The files a run's lanes stream into (experiment/spool.ts), written into a folder: each lane's
 * files under `<dir>/<lane>/`, each appended through a buffer of about 1 MB (never one string of
 * the whole file). The folder is the report's temporary folder (atomic-dir.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LineSink, SpoolSink } from '../experiment/spool.ts';

/** Lines appended to a file through a buffer of about 1 MB. */
export class LineFile implements LineSink {
  private readonly fd: number;
  private buf: string[] = [];
  private len = 0;

  /** Creates (or empties) `file`. */
  constructor(file: string) {
    this.fd = fs.openSync(file, 'w');
  }

  line(text: string): void {
    this.buf.push(text, '\n');
    this.len += text.length + 1;
    if (this.len > 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.buf.length) fs.writeSync(this.fd, this.buf.join(''));
    this.buf = [];
    this.len = 0;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      fs.closeSync(this.fd);
    }
  }
}

/** A spool into folder `dir` (created as needed). */
export function folderSpool(dir: string): SpoolSink {
  return {
    dir,
    open(lane, name) {
      const d = path.join(dir, lane);
      fs.mkdirSync(d, { recursive: true });
      return new LineFile(path.join(d, name));
    },
    remove(lane, name) {
      fs.rmSync(path.join(dir, lane, name), { force: true });
    },
  };
}
