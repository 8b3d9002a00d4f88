import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { AssetType } from '../../shared/asset-types.ts';
import type { ItemFields } from '../../shared/fields.ts';
import type { BlobRow, ItemLayout } from '../../main/core/db/schema.ts';
import { writeFields } from '../../main/core/db/fields-repo.ts';
import { setSlot } from '../../main/core/select/slots-repo.ts';
import type { Services } from '../../main/core/services.ts';
import { makeTestEngine, type TestEngine } from '../helpers/engine.ts';
import { insertLibrary } from '../helpers/seed.ts';

/*
 * A real engine with a real library folder for publish tests: movies are rows plus folders with a
 * (tiny) video file, images are real pictures made by sharp and stored through the cache's own
 * ingest, choices are slots written through the select domain's repository.
 */

export interface MovieSpec {
  /** Folder under the library root. */
  folder: string;
  basename: string;
  layout?: ItemLayout;
  title?: string;
  year?: number;
  tmdbId?: number | null;
  imdbId?: string | null;
  fields?: ItemFields;
  /** Creates `BDMV/index.bdmv` instead of a video file. */
  disc?: boolean;
}

export interface PublishFixture extends TestEngine {
  s: Services;
  root: string;
  libraryId: number;
  addMovie(spec: MovieSpec): Promise<{ id: number; folder: string }>;
  /** A distinct picture (by seed) stored in the cache. */
  image(
    seed: number,
    options?: { format?: 'jpeg' | 'png' | 'webp'; width?: number; height?: number },
  ): Promise<BlobRow>;
  choose(
    itemId: number,
    type: AssetType,
    blob: BlobRow | null,
    options?: { rank?: number; chosenBy?: 'auto' | 'user' | 'original'; locked?: boolean },
  ): Promise<void>;
  /** A file the user already had in the movie folder, recorded as the scanner would (origin original). */
  original(
    itemId: number,
    rel: string,
    bytes: Buffer,
    type: AssetType,
    rank?: number,
  ): Promise<{ path: string; sha: string }>;
  /** Relative paths of every file under the movie folder except the video, sorted. */
  files(folder: string): string[];
  sha(file: string): string;
}

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export async function pictureBytes(
  seed: number,
  options: { format?: 'jpeg' | 'png' | 'webp'; width?: number; height?: number } = {},
): Promise<Buffer> {
  const width = options.width ?? 120;
  const height = options.height ?? 180;
  const colour = { r: (seed * 67) % 256, g: (seed * 131) % 256, b: (seed * 29 + 80) % 256 };
  const base = sharp({ create: { width, height, channels: 3, background: colour } }).composite([
    {
      input: Buffer.from(
        `<svg width="${width}" height="${height}"><rect x="${seed % 40}" y="${(seed * 7) % 60}" width="${width / 2}" height="${height / 3}" fill="#${((seed * 2654435761) >>> 8).toString(16).padStart(6, '0').slice(0, 6)}"/></svg>`,
      ),
    },
  ]);
  const format = options.format ?? 'jpeg';
  return format === 'png'
    ? base.png().toBuffer()
    : format === 'webp'
      ? base.webp().toBuffer()
      : base.jpeg({ quality: 85 }).toBuffer();
}

function walk(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(dir, r));
    else out.push(r);
  }
  return out;
}

export async function makePublishFixture(
  options: { env?: NodeJS.ProcessEnv; root?: string } = {},
): Promise<PublishFixture> {
  const t = await makeTestEngine(options.env ? { env: options.env } : {});
  const s = t.engine.services;
  const root = options.root ?? t.tempDir('library');
  const now = s.clock.now();
  const libraryId = await insertLibrary(s.db, now, { path: root });
  const scratch = t.tempDir('scratch');
  let n = 0;

  return {
    ...t,
    s,
    root,
    libraryId,
    async addMovie(spec) {
      const folder = path.join(root, spec.folder);
      mkdirSync(folder, { recursive: true });
      let video: string;
      if (spec.disc) {
        mkdirSync(path.join(folder, 'BDMV'), { recursive: true });
        writeFileSync(path.join(folder, 'BDMV', 'index.bdmv'), 'disc');
        video = path.join(folder, 'BDMV');
      } else {
        video = path.join(folder, `${spec.basename}.mkv`);
        writeFileSync(video, 'video');
      }
      const { id } = await s.db
        .insertInto('items')
        .values({
          library_id: libraryId,
          kind: 'movie',
          folder,
          video_path: video,
          basename: spec.basename,
          layout: spec.layout ?? (spec.disc ? 'disc' : 'own-folder'),
          title: spec.title ?? spec.basename,
          year: spec.year ?? null,
          tmdb_id: spec.tmdbId ?? null,
          imdb_id: spec.imdbId ?? null,
          state: spec.tmdbId ? 'enriched' : 'new',
          created_at: now,
          updated_at: now,
          scanned_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (spec.fields) await writeFields(s.db, id, spec.fields, 'tmdb', now);
      return { id, folder };
    },
    async image(seed, opts = {}) {
      const file = path.join(
        scratch,
        `img${n++}.${opts.format === 'png' ? 'png' : opts.format === 'webp' ? 'webp' : 'jpg'}`,
      );
      writeFileSync(file, await pictureBytes(seed, opts));
      return s.cache.ingestFile(file, { provider: 'upload' });
    },
    async choose(itemId, type, blob, opts = {}) {
      await setSlot(
        s.db,
        {
          itemId,
          type,
          rank: opts.rank ?? 0,
          candidateId: null,
          blobSha: blob?.sha256 ?? null,
          chosenBy: opts.chosenBy ?? 'auto',
          locked: opts.locked ?? false,
        },
        s.clock.now(),
      );
    },
    async original(itemId, rel, bytes, type, rank = 0) {
      const item = await s.db.selectFrom('items').select('folder').where('id', '=', itemId).executeTakeFirstOrThrow();
      const file = path.join(item.folder, rel);
      writeFileSync(file, bytes);
      const info = statSync(file);
      const sha = sha256(bytes);
      await s.db
        .insertInto('library_files')
        .values({
          item_id: itemId,
          path: file,
          role: 'art',
          asset_type: type,
          rank,
          origin: 'original',
          sha256: sha,
          bytes: info.size,
          width: null,
          height: null,
          mtime: Math.round(info.mtimeMs),
          seen_at: s.clock.now(),
        })
        .execute();
      return { path: file, sha };
    },
    files(folder) {
      return walk(folder)
        .filter((f) => !f.endsWith('.mkv') && !f.startsWith('BDMV/'))
        .sort();
    },
    sha(file) {
      return sha256(readFileSync(file));
    },
  };
}
