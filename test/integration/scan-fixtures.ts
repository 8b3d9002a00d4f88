import { closeSync, ftruncateSync, lstatSync, mkdirSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { ItemDetail, ItemSummary, ScanResult, ScanSummary } from '../../shared/api/library.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';

/** A file in a test tree: text/bytes, a sparse video of a size, or (null) a folder. */
export type TreeEntry = string | Buffer | { size: number } | null;

/** Creates files and folders under `root`; keys are relative paths with `/`. */
export function makeTree(root: string, entries: Record<string, TreeEntry>): void {
  for (const [rel, content] of Object.entries(entries)) {
    const abs = path.join(root, ...rel.split('/'));
    if (content === null) {
      mkdirSync(abs, { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(abs), { recursive: true });
    if (typeof content === 'string' || Buffer.isBuffer(content)) {
      writeFileSync(abs, content);
    } else {
      const fd = openSync(abs, 'w');
      ftruncateSync(fd, content.size);
      closeSync(fd);
    }
  }
}

const images = new Map<string, Promise<Buffer>>();

/** A real JPEG of the given size; `seed` varies the colour (and so the bytes). */
export function jpeg(width: number, height: number, seed = 0): Promise<Buffer> {
  const key = `jpg ${width} ${height} ${seed}`;
  if (!images.has(key)) {
    images.set(
      key,
      sharp({
        create: { width, height, channels: 3, background: { r: (seed * 53) % 256, g: (seed * 97) % 256, b: 120 } },
      })
        .jpeg({ quality: 70 })
        .toBuffer(),
    );
  }
  return images.get(key)!;
}

/** A real PNG with transparency. */
export function png(width: number, height: number, seed = 0): Promise<Buffer> {
  const key = `png ${width} ${height} ${seed}`;
  if (!images.has(key)) {
    images.set(
      key,
      sharp({
        create: { width, height, channels: 4, background: { r: 255, g: (seed * 31) % 256, b: 255, alpha: 0.5 } },
      })
        .png()
        .toBuffer(),
    );
  }
  return images.get(key)!;
}

/**
 * A real JPEG of noise, which compresses badly: a large file from a modest size (about 5 MB at
 * 2200×1600), for pictures larger than the scanner's read buffer.
 */
export function noisyJpeg(width: number, height: number): Promise<Buffer> {
  const key = `noise ${width} ${height}`;
  if (!images.has(key)) {
    images.set(
      key,
      sharp({
        create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
      })
        .jpeg({ quality: 100 })
        .toBuffer(),
    );
  }
  return images.get(key)!;
}

export interface TreeSnapshotEntry {
  path: string;
  type: 'file' | 'dir' | 'link' | 'other';
  size: number;
  mtimeMs: number;
  ino: number;
}

/** Every entry under `root` with size, mtime and inode (links not followed), sorted. */
export function snapshotTree(root: string): TreeSnapshotEntry[] {
  const out: TreeSnapshotEntry[] = [];
  const walk = (dir: Buffer) => {
    for (const name of readdirSync(dir, { encoding: 'buffer' })) {
      const abs = Buffer.concat([dir, Buffer.from('/'), name]);
      const st = lstatSync(abs);
      const type = st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
      out.push({
        path: abs.toString('latin1'),
        type,
        size: type === 'dir' ? 0 : st.size,
        mtimeMs: st.mtimeMs,
        ino: st.ino,
      });
      if (type === 'dir') walk(abs);
    }
  };
  walk(Buffer.from(root));
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}

export interface ScanFixture extends TestEngine {
  root: string;
  libraryId: number;
  scan(options?: { deep?: boolean }): Promise<ScanResult>;
  /** The scanner alone: without the copy of the user's pictures into the cache that `scan` makes after it. */
  scanOnly(): Promise<ScanSummary>;
  /** Every item, by title order. */
  items(): Promise<ItemSummary[]>;
  detail(id: number): Promise<ItemDetail>;
  /** The one item whose folder (relative to the root) and optional basename match. */
  byFolder(rel: string, basename?: string): Promise<ItemSummary>;
}

/** A test engine with one library over a fresh folder. */
export async function scanFixture(entries: Record<string, TreeEntry> = {}): Promise<ScanFixture> {
  const t = await makeTestEngine();
  const root = t.tempDir('library');
  makeTree(root, entries);
  const lib = await t.client.call('library-add', { path: root });
  const fixture: ScanFixture = {
    ...t,
    root: lib.path,
    libraryId: lib.id,
    scan: (options = {}) => t.client.call('scan', { libraryId: lib.id, ...options }),
    scanOnly: () => t.engine.services.library.scanLibrary(lib.id),
    items: async () => (await t.client.call('items-list', { limit: 10_000 })).items,
    detail: (id) => t.client.call('item-get', { id }),
    async byFolder(rel, basename) {
      const folder = rel ? path.join(lib.path, ...rel.split('/')) : lib.path;
      const all = (await fixture.items()).filter(
        (i) => i.folder === folder && (basename === undefined || i.basename === basename),
      );
      if (all.length !== 1)
        throw new Error(`expected one item in ${rel}${basename ? ` / ${basename}` : ''}, found ${all.length}`);
      return all[0]!;
    },
  };
  return fixture;
}
