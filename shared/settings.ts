import { z } from 'zod';
import { ASSET_TYPES, ASSET_TYPE_SPECS, type AssetType } from './asset-types.ts';

const languageCode = z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'a language code such as "en" or "fr-CA"');
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'an http(s) URL');
const perType = <T extends z.ZodType>(value: T) => z.partialRecord(z.enum(ASSET_TYPES), value);

export const NAMING_STYLES = ['both', 'basename', 'folder'] as const;
export const PUBLISH_MODES = ['copy', 'hardlink', 'reflink'] as const;
export const AUTOMATION_LEVELS = ['off', 'candidates', 'autoselect', 'publish'] as const;
export const PROVIDER_IDS = ['tmdb', 'fanart'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];
export type NamingStyle = (typeof NAMING_STYLES)[number];
export type PublishMode = (typeof PUBLISH_MODES)[number];
export type AutomationLevel = (typeof AUTOMATION_LEVELS)[number];

interface SettingDef<T extends z.ZodType> {
  schema: T;
  default: z.output<T>;
  description: string;
  /** Secrets are masked whenever they leave the engine and never logged. */
  secret?: boolean;
  /** An environment variable that overrides the stored value. */
  env?: string;
}

const def = <T extends z.ZodType>(d: SettingDef<T>): SettingDef<T> => d;

/** Every setting, with its type, default and meaning. Stored values are validated against these. */
export const SETTINGS = {
  languages: def({
    schema: z.array(languageCode).min(1),
    default: ['en'],
    description: 'Preferred artwork and metadata languages, most wanted first.',
  }),
  'tmdb.apiKey': def({
    schema: z.string(),
    default: '',
    secret: true,
    env: 'POSTERITY_TMDB_API_KEY',
    description: 'TMDB API key (v3 key or v4 read access token).',
  }),
  'tmdb.baseUrl': def({
    schema: httpUrl,
    default: 'https://api.themoviedb.org/3',
    env: 'POSTERITY_TMDB_API_URL',
    description: 'TMDB API base URL.',
  }),
  'tmdb.requestsPerSecond': def({
    schema: z.number().positive().max(1000),
    default: 40,
    description: 'Most TMDB API requests per second.',
  }),
  'tmdb.connections': def({
    schema: z.number().int().min(1).max(64),
    default: 20,
    description: 'Most open connections to TMDB.',
  }),
  'fanart.apiKey': def({
    schema: z.string(),
    default: '',
    secret: true,
    env: 'POSTERITY_FANART_API_KEY',
    description: 'Fanart.tv project API key.',
  }),
  'fanart.clientKey': def({
    schema: z.string(),
    default: '',
    secret: true,
    description: 'Optional Fanart.tv personal key: newer images (2 days instead of 7).',
  }),
  'fanart.baseUrl': def({
    schema: httpUrl,
    default: 'https://webservice.fanart.tv/v3',
    env: 'POSTERITY_FANART_API_URL',
    description: 'Fanart.tv API base URL.',
  }),
  'fanart.requestsPerSecond': def({
    schema: z.number().positive().max(1000),
    default: 5,
    description: 'Most Fanart.tv requests per second.',
  }),
  'fanart.connections': def({
    schema: z.number().int().min(1).max(64),
    default: 4,
    description: 'Most open connections to Fanart.tv.',
  }),
  'providers.cacheTtlDays': def({
    schema: z.number().min(0).max(365),
    default: 7,
    description: 'How long provider answers are reused before asking again.',
  }),
  'providers.preference': def({
    schema: z.array(z.enum(PROVIDER_IDS)),
    default: ['tmdb', 'fanart'],
    description: 'Providers in order of preference (a small score bonus for the first).',
  }),
  'providers.maxRetries': def({
    schema: z.number().int().min(0).max(10),
    default: 4,
    description: 'Times a provider request is retried after a 429, a server error or a network error.',
  }),
  'providers.timeoutSeconds': def({
    schema: z.number().positive().max(600),
    default: 20,
    description: 'Seconds one provider request may take before it is abandoned (and retried).',
  }),
  'scan.walkThreads': def({
    schema: z.number().int().min(0).max(32),
    default: 0,
    description:
      "Threads reading a library's folders in a first scan and checking them in a rescan (0 = from how fast the storage answers: one on a local disk, eight on a network share).",
  }),
  'naming.style': def({
    schema: z.enum(NAMING_STYLES),
    default: 'both',
    description:
      'File names: "basename" (<movie>-poster.jpg), "folder" (poster.jpg) or "both" (folder twin hardlinked).',
  }),
  'naming.extrafanartFolder': def({
    schema: z.boolean(),
    default: false,
    description: 'Also write extra fanart into an extrafanart/ folder for skins that read it.',
  }),
  'naming.movieNfo': def({
    schema: z.boolean(),
    default: false,
    description: 'Also write movie.nfo beside <movie>.nfo.',
  }),
  'publish.mode': def({
    schema: z.enum(PUBLISH_MODES),
    default: 'copy',
    description: 'How cache files reach the library: copy, hardlink or reflink.',
  }),
  'publish.overwriteForeignNfo': def({
    schema: z.boolean(),
    default: true,
    description: 'Replace NFO files Posterity did not write (the old one goes to the recycle bin).',
  }),
  'publish.cleanupUnknownImages': def({
    schema: z.boolean(),
    default: false,
    description: 'Move image files Posterity does not know into the recycle bin when publishing.',
  }),
  'publish.actorImages': def({
    schema: z.boolean(),
    default: true,
    description: 'Publish actor pictures into .actors/.',
  }),
  'autoselect.replaceOriginals': def({
    schema: z.boolean(),
    default: false,
    description: 'Let auto-select replace artwork that was already in the library.',
  }),
  'autoselect.counts': def({
    schema: perType(z.number().int().min(0).max(20)),
    default: {},
    description: 'Images to keep per type (0 turns a type off); types not listed use their default.',
  }),
  'select.lookAlikeThresholds': def({
    schema: perType(z.number().int().min(0).max(64)),
    default: {},
    description: 'Hamming distance at which two images of a type count as the same picture.',
  }),
  'automation.level': def({
    schema: z.enum(AUTOMATION_LEVELS),
    default: 'autoselect',
    description: 'How far automation goes for monitored items: off, candidates, autoselect, publish.',
  }),
  'cache.gcGraceDays': def({
    schema: z.number().min(0).max(3650),
    default: 30,
    description: 'Days an unreferenced cache file is kept before it moves to the recycle bin.',
  }),
  'cache.decodeWorkers': def({
    schema: z.number().int().min(0).max(64),
    default: 0,
    description: 'Images decoded at once when caching (0 = one per CPU core).',
  }),
  'recycle.retentionDays': def({
    schema: z.number().min(0).max(3650),
    default: 30,
    description: 'Days the recycle bin keeps files before purging them.',
  }),
  'schedule.rescanHours': def({
    schema: z.number().min(0),
    default: 6,
    description: 'Hours between library rescans (0 = never).',
  }),
  'schedule.refreshDays': def({
    schema: z.number().min(0),
    default: 30,
    description: 'Days between re-enrichment of monitored items (0 = never).',
  }),
  'schedule.verifyHours': def({
    schema: z.number().min(0),
    default: 24,
    description: 'Hours between library verify-and-repair passes (0 = never).',
  }),
  'schedule.gcHours': def({
    schema: z.number().min(0),
    default: 24,
    description: 'Hours between cache garbage collections (0 = never).',
  }),
  'jobs.historyDays': def({
    schema: z.number().min(0).max(3650),
    default: 30,
    description: 'Days finished jobs stay in the Activity history before they are forgotten.',
  }),
  'webhook.secret': def({
    schema: z.string(),
    default: '',
    secret: true,
    description: 'Secret Radarr/Sonarr must send with webhooks (generated on first start).',
  }),
  'webhook.listen': def({
    schema: z.string().regex(/^$|^(?:\[[^\]]+\]|[^:\s]*):\d{1,5}$|^\d{1,5}$/, 'HOST:PORT, or empty'),
    default: '',
    description:
      'Extra address the daemon listens on for webhooks only (HOST:PORT, e.g. 0.0.0.0:8791), for Radarr/Sonarr in a container or on another machine. Empty: loopback only.',
  }),
  'paths.mappings': def({
    schema: z.array(z.object({ from: z.string().min(1), to: z.string().min(1) })),
    default: [],
    description: 'Path prefixes to translate from Radarr/Sonarr paths to local paths.',
  }),
  'players.kodi': def({
    schema: z.object({ url: httpUrl, username: z.string(), password: z.string() }).nullable(),
    default: null,
    secret: true,
    description: 'Kodi JSON-RPC endpoint to refresh after publishing (off when empty).',
  }),
  'players.jellyfin': def({
    schema: z.object({ url: httpUrl, apiKey: z.string() }).nullable(),
    default: null,
    secret: true,
    description: 'Jellyfin server to notify after publishing (off when empty).',
  }),
  'players.plex': def({
    schema: z.object({ url: httpUrl, token: z.string(), sectionId: z.string() }).nullable(),
    default: null,
    secret: true,
    description: 'Plex library section to refresh after publishing (off when empty).',
  }),
  'ui.theme': def({
    schema: z.enum(['system', 'light', 'dark']),
    default: 'system',
    description: 'Colour theme of the app.',
  }),
  'ui.firstRunDone': def({
    schema: z.boolean(),
    default: false,
    description: 'Whether the first-run wizard has been completed.',
  }),
} as const;

export type Settings = typeof SETTINGS;
export type SettingKey = keyof Settings;
export type SettingValue<K extends SettingKey> = z.output<Settings[K]['schema']>;
export type SettingValues = { [K in SettingKey]: SettingValue<K> };

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTINGS, key);
}

/** Count auto-select keeps for a type, after the user's override. */
export function countFor(type: AssetType, counts: SettingValue<'autoselect.counts'>): number {
  return counts[type] ?? ASSET_TYPE_SPECS[type].defaultCount;
}

/** One setting as shown to a user: secrets masked, source explained. */
export interface SettingView {
  key: SettingKey;
  value: unknown;
  default: unknown;
  description: string;
  secret: boolean;
  /** Where the effective value comes from. */
  source: 'default' | 'stored' | 'env';
  env: string | null;
}

/** Shows only the last four characters of a secret, never the whole. */
export function maskSecret(value: unknown): unknown {
  if (value === null || value === undefined || value === '') return value;
  if (typeof value === 'string') return value.length <= 4 ? '••••' : `••••${value.slice(-4)}`;
  return '••••';
}
