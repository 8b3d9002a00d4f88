import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/*
 * Row types that match the SQL schema exactly (migrations/). Booleans are 0/1 and JSON columns
 * are strings, as better-sqlite3 returns them; repositories map rows to the domain types in
 * shared/ at their boundary.
 */

/** Milliseconds since the epoch. */
export type Millis = number;
/** A JSON document stored as text. */
export type JsonText = string;
export type Flag = 0 | 1;

export interface SettingsTable {
  key: string;
  value: JsonText;
  updated_at: Millis;
}

export interface LibrariesTable {
  id: Generated<number>;
  path: string;
  kind: 'movies' | 'tv';
  name: string;
  naming_style: string | null;
  publish_mode: string | null;
  state: Generated<'ok' | 'missing'>;
  created_at: Millis;
  last_scan_at: Millis | null;
}

export type ItemKind = 'movie' | 'series' | 'season' | 'episode';
export type ItemState = 'new' | 'identified' | 'needs_match' | 'enriched' | 'missing';
export type ItemLayout = 'own-folder' | 'shared-folder' | 'disc';

export interface ItemsTable {
  id: Generated<number>;
  library_id: number;
  parent_id: number | null;
  kind: ItemKind;
  folder: string;
  video_path: string | null;
  basename: string;
  layout: ItemLayout;
  title: string;
  year: number | null;
  sort_title: string | null;
  tmdb_id: number | null;
  imdb_id: string | null;
  tvdb_id: number | null;
  monitored: Generated<Flag>;
  state: ItemState;
  match_locked: Generated<Flag>;
  match_choices: JsonText | null;
  /** The scanner's problems with the item (NFO, video, pictures); only a scan sets or clears it. */
  error: string | null;
  /** Why the last enrich failed or fell short (migration 0007); only enriching sets or clears it. */
  enrich_error: string | null;
  video_size: number | null;
  video_mtime: Millis | null;
  folder_signature: string | null;
  /** Device and inode of the video file (migration 0002): a move on one filesystem keeps them. */
  video_dev: number | null;
  video_ino: number | null;
  created_at: Millis;
  updated_at: Millis;
  scanned_at: Millis | null;
  enriched_at: Millis | null;
  enrich_after: Millis | null;
  published_at: Millis | null;
}

export interface ItemFieldsTable {
  item_id: number;
  field: string;
  value: JsonText;
  source: 'nfo' | 'tmdb' | 'user';
  updated_at: Millis;
}

export interface FieldLocksTable {
  item_id: number;
  field: string;
  locked_at: Millis;
}

export interface BlobsTable {
  sha256: string;
  ext: string;
  mime: string;
  width: number;
  height: number;
  bytes: number;
  phash: string | null;
  area: Generated<'assets' | 'previews'>;
  state: Generated<'available' | 'quarantined' | 'recycled'>;
  created_at: Millis;
  verified_at: Millis | null;
  unreferenced_since: Millis | null;
  /** The file's mtime when its bytes last matched the hash (see migration 0008); null: not yet proven. */
  file_mtime: number | null;
}

export interface BlobSourcesTable {
  sha256: string;
  provider: string;
  source: string;
  added_at: Millis;
}

export interface CandidatesTable {
  id: Generated<number>;
  item_id: number;
  asset_type: string;
  provider: string;
  provider_image_id: string;
  url: string;
  preview_url: string | null;
  width: number | null;
  height: number | null;
  language: string | null;
  vote_average: number | null;
  vote_count: number | null;
  likes: number | null;
  extra: JsonText | null;
  score: number | null;
  score_breakdown: JsonText | null;
  preview_sha: string | null;
  phash: string | null;
  hash_error: string | null;
  cluster_id: number | null;
  blocked: Generated<Flag>;
  blob_sha: string | null;
  download_error: string | null;
  seen_at: Millis;
  gone_at: Millis | null;
  created_at: Millis;
}

export interface DownloadsTable {
  id: Generated<number>;
  url: string;
  area: 'assets' | 'previews';
  provider: string;
  candidate_id: number | null;
  state: 'pending' | 'available' | 'failed';
  attempts: Generated<number>;
  error: string | null;
  blob_sha: string | null;
  requested_at: Millis;
  finished_at: Millis | null;
}

export interface LibraryFilesTable {
  id: Generated<number>;
  item_id: number | null;
  path: string;
  role: 'art' | 'nfo' | 'actor';
  asset_type: string | null;
  rank: number | null;
  origin: 'original' | 'published';
  sha256: string;
  bytes: number;
  width: number | null;
  height: number | null;
  mtime: Millis;
  published_at: Millis | null;
  seen_at: Millis;
}

export interface SlotsTable {
  item_id: number;
  asset_type: string;
  rank: Generated<number>;
  blob_sha: string | null;
  candidate_id: number | null;
  library_file_id: number | null;
  chosen_by: 'auto' | 'user' | 'original';
  locked: Generated<Flag>;
  updated_at: Millis;
}

export interface RecycleTable {
  id: Generated<number>;
  original_path: string;
  stored_path: string;
  sha256: string | null;
  bytes: number;
  item_id: number | null;
  kind: 'library-file' | 'blob';
  reason: string;
  deleted_at: Millis;
  expires_at: Millis;
  restored_at: Millis | null;
  purged_at: Millis | null;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  item_id: number | null;
  library_id: number | null;
  payload: Generated<JsonText>;
  coalesce_key: string | null;
  state: JobState;
  priority: Generated<number>;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  run_after: Millis;
  progress_done: number | null;
  progress_total: number | null;
  message: string | null;
  error: string | null;
  created_at: Millis;
  started_at: Millis | null;
  finished_at: Millis | null;
}

export interface ProviderCacheTable {
  key: string;
  provider: string;
  status: number;
  body: string;
  etag: string | null;
  fetched_at: Millis;
  expires_at: Millis;
}

/** Perceptual hashes of the user's own files, by content (migration 0004). */
export interface ImagePhashesTable {
  sha256: string;
  phash: string | null;
  error: string | null;
  computed_at: Millis;
}

/** What the scanner remembers per folder walked (migration 0002). */
export interface ScanFoldersTable {
  path: string;
  library_id: number;
  role: 'container' | 'movies' | 'disc' | 'unreadable';
  signature: string;
  subdirs: JsonText;
  aux: JsonText;
  error: string | null;
  /** JSON: the NFOs and pictures read in the folder, relative to it (migration 0007). */
  files: JsonText;
  /** JSON: what reading the folder's listing reported, `{ path, reason }[]` (migration 0007). */
  problems: JsonText;
  scanned_at: Millis;
}

export interface Database {
  settings: SettingsTable;
  libraries: LibrariesTable;
  items: ItemsTable;
  item_fields: ItemFieldsTable;
  field_locks: FieldLocksTable;
  blobs: BlobsTable;
  blob_sources: BlobSourcesTable;
  candidates: CandidatesTable;
  downloads: DownloadsTable;
  library_files: LibraryFilesTable;
  slots: SlotsTable;
  recycle: RecycleTable;
  jobs: JobsTable;
  provider_cache: ProviderCacheTable;
  scan_folders: ScanFoldersTable;
  image_phashes: ImagePhashesTable;
}

export type LibraryRow = Selectable<LibrariesTable>;
export type ItemRow = Selectable<ItemsTable>;
export type NewItem = Insertable<ItemsTable>;
export type ItemUpdate = Updateable<ItemsTable>;
export type CandidateRow = Selectable<CandidatesTable>;
export type NewCandidate = Insertable<CandidatesTable>;
export type BlobRow = Selectable<BlobsTable>;
export type SlotRow = Selectable<SlotsTable>;
export type LibraryFileRow = Selectable<LibraryFilesTable>;
export type RecycleRow = Selectable<RecycleTable>;
export type JobRow = Selectable<JobsTable>;
export type DownloadRow = Selectable<DownloadsTable>;
