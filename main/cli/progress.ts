import type { Progress } from '../../shared/api/index.ts';

export interface ProgressBar {
  update(progress: Progress): void;
  done(): void;
}

const WIDTH = 28;
const REDRAW_MS = 80;

/** A one-line progress bar on a terminal; silent when the stream is not a TTY. */
export function progressBar(stream: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): unknown }): ProgressBar {
  if (!stream.isTTY) return { update() {}, done() {} };
  let last = 0;
  let drawn = false;
  let pending: Progress | null = null;
  const draw = (p: Progress) => {
    const ratio = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
    const filled = Math.round(ratio * WIDTH);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
    const label = p.label ? ` ${p.label.slice(0, 40)}` : '';
    stream.write(`\r\x1b[2K${bar} ${p.done}/${p.total} ${Math.round(ratio * 100)}%${label}`);
    drawn = true;
  };
  return {
    update(p) {
      pending = p;
      const now = Date.now();
      if (now - last >= REDRAW_MS || p.done >= p.total) {
        last = now;
        draw(p);
      }
    },
    done() {
      if (pending) draw(pending);
      if (drawn) stream.write('\n');
    },
  };
}
