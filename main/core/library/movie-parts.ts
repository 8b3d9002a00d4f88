import { readdirSync } from 'node:fs';
import { DISC_STRUCTURES, stackFolderVolume } from '../../../shared/video-extensions.ts';

/**
 * True when folder `name` inside `parentAbs` is a piece of the movie in `parentAbs` rather than
 * a folder of its own: a disc structure (`VIDEO_TS`, `BDMV`), a stacked part (`CD1`, `Disc2`),
 * or a loose disc's own sub-folder (`STREAM` beside `index.bdmv`). A change inside one means
 * the movie above it changed; scanning the piece alone would make a fake movie of it.
 */
export function isPartOfMovieAbove(parentAbs: string, name: string): boolean {
  const lower = name.toLowerCase();
  if (DISC_STRUCTURES.some((d) => d.dir === lower) || stackFolderVolume(name) !== null) return true;
  // `STREAM` or `BACKUP` are ordinary names too: only beside the disc's marker file are they its own.
  const spec = DISC_STRUCTURES.find((d) => (d.looseDirs as readonly string[]).includes(lower));
  return spec !== undefined && holdsFile(parentAbs, spec.marker);
}

/** Whether `dir` holds a file named `lowerName` in any case. */
function holdsFile(dir: string, lowerName: string): boolean {
  try {
    return readdirSync(dir).some((n) => n.toLowerCase() === lowerName);
  } catch {
    return false;
  }
}
