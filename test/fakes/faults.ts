import { fanartErrorForStatus, tmdbErrorForStatus } from './errors.ts';
import { json, text, type FakeResponse } from './http.ts';
import type { FakeHost } from './stats.ts';

export type FaultKind = 'status' | 'html' | 'malformed-json' | 'truncated' | 'timeout' | 'wrong-types' | 'huge';

export interface FaultRule {
  host: FakeHost;
  /** Substring of path + query string; omitted → every request to the host. */
  pathIncludes?: string;
  /** How many requests the rule answers before it expires; default: forever. */
  times?: number;
  kind: FaultKind;
  /** 'status': the status to send (default 500). 'html': default 200. */
  status?: number;
  /** Retry-After seconds ('status' kind; 429 defaults to 1). */
  retryAfter?: number;
  /** 'huge': body size in bytes (default 64 MiB). */
  bytes?: number;
  /** 'huge': send Content-Length (default true); false → chunked with no length. */
  declareLength?: boolean;
}

export interface FaultHandle {
  readonly rule: FaultRule;
  /** Requests this rule has answered so far. */
  readonly hits: number;
  remove(): void;
}

export interface FaultInjector {
  /** First matching rule (in insertion order) answers the request. */
  add(rule: FaultRule): FaultHandle;
  clear(): void;
  readonly rules: readonly FaultRule[];
}

interface ActiveRule {
  rule: FaultRule;
  hits: number;
  remaining: number;
}

export class Faults implements FaultInjector {
  private active: ActiveRule[] = [];

  get rules(): readonly FaultRule[] {
    return this.active.map((a) => a.rule);
  }

  add(rule: FaultRule): FaultHandle {
    const entry: ActiveRule = { rule: { ...rule }, hits: 0, remaining: rule.times ?? Number.POSITIVE_INFINITY };
    this.active.push(entry);
    return {
      rule: entry.rule,
      get hits() {
        return entry.hits;
      },
      remove: () => {
        this.active = this.active.filter((a) => a !== entry);
      },
    };
  }

  clear(): void {
    this.active = [];
  }

  /** Consumes one use of the first rule matching this request. */
  take(host: FakeHost, pathAndQuery: string): FaultRule | undefined {
    const entry = this.active.find(
      (a) => a.rule.host === host && (a.rule.pathIncludes === undefined || pathAndQuery.includes(a.rule.pathIncludes)),
    );
    if (!entry) return undefined;
    entry.hits++;
    entry.remaining--;
    if (entry.remaining <= 0) this.active = this.active.filter((a) => a !== entry);
    return entry.rule;
  }
}

export type FaultOutcome =
  | { type: 'send'; response: FakeResponse }
  | { type: 'truncate'; response: FakeResponse }
  | { type: 'hang' }
  | { type: 'stream'; status: number; contentType: string; bytes: number; declareLength: boolean; head: Buffer };

const isApi = (host: FakeHost): boolean => host === 'tmdb' || host === 'fanart';

const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function htmlPage(status: number): string {
  const title = status === 200 ? 'Just a moment...' : `${status} ${REASONS[status] ?? 'Error'}`;
  return `<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${title}</title></head>\n<body>\n<center><h1>${title}</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n`;
}

const TMDB_STRINGIFY = new Set(['id', 'vote_average', 'width', 'total_results', 'runtime']);
const TMDB_OBJECTIFY = new Set(['genre_ids', 'genres', 'logos', 'tv_results', 'production_countries']);
const FANART_NUMBERIFY = new Set(['likes', 'tmdb_id', 'width', 'height']);
const FANART_OBJECTIFY = new Set(['hdmovielogo', 'moviedisc', 'moviethumb']);

/** Valid JSON with the types a sloppy upstream might send: numbers as strings, arrays as objects. */
export function wrongTypes(host: FakeHost, value: unknown): unknown {
  const stringify = host === 'tmdb' ? TMDB_STRINGIFY : new Set<string>();
  const numberify = host === 'fanart' ? FANART_NUMBERIFY : new Set<string>();
  const objectify = host === 'tmdb' ? TMDB_OBJECTIFY : FANART_OBJECTIFY;
  const walk = (v: unknown, key: string | null): unknown => {
    if (Array.isArray(v)) {
      const items = v.map((x) => walk(x, null));
      return key !== null && objectify.has(key) ? Object.fromEntries(items.map((x, i) => [String(i), x])) : items;
    }
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    }
    if (key !== null && typeof v === 'number' && stringify.has(key)) return String(v);
    if (key !== null && typeof v === 'string' && numberify.has(key) && /^\d+$/.test(v)) return Number(v);
    return v;
  };
  return walk(value, null);
}

function statusResponse(rule: FaultRule, host: FakeHost): FakeResponse {
  const status = rule.status ?? 500;
  const headers: Record<string, string> = {};
  const retryAfter = rule.retryAfter ?? (status === 429 ? 1 : undefined);
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  if (host === 'tmdb') return json(status, tmdbErrorForStatus(status), headers);
  if (host === 'fanart') return json(status, fanartErrorForStatus(status), headers);
  const r = text(status, REASONS[status] ?? 'Error');
  Object.assign(r.headers, headers);
  return r;
}

const SWAPPED_IMAGE_TYPE: Readonly<Record<string, string>> = {
  'image/jpeg': 'image/png',
  'image/png': 'image/jpeg',
  'image/svg+xml': 'image/png',
};

/**
 * How a fault answers. `base` computes the real response (only called for kinds that need it).
 * On image hosts: 'malformed-json' → a corrupt (cut) image with a consistent Content-Length;
 * 'wrong-types' → real bytes under a mismatched image Content-Type.
 */
export async function faultOutcome(
  rule: FaultRule,
  host: FakeHost,
  base: () => Promise<FakeResponse>,
): Promise<FaultOutcome> {
  switch (rule.kind) {
    case 'timeout':
      return { type: 'hang' };
    case 'status':
      return { type: 'send', response: statusResponse(rule, host) };
    case 'html':
      return {
        type: 'send',
        response: text(rule.status ?? 200, htmlPage(rule.status ?? 200), 'text/html; charset=utf-8'),
      };
    case 'huge': {
      const size = rule.bytes ?? 64 * 1024 * 1024;
      const api = isApi(host);
      return {
        type: 'stream',
        status: 200,
        contentType: api ? 'application/json;charset=utf-8' : 'image/jpeg',
        bytes: size,
        declareLength: rule.declareLength ?? true,
        head: api ? Buffer.from('{"padding":"') : Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
      };
    }
    case 'truncated':
      return { type: 'truncate', response: await base() };
    case 'malformed-json': {
      const r = await base();
      const cut = Math.max(1, Math.floor(r.body.length * 0.6));
      return { type: 'send', response: { ...r, body: r.body.subarray(0, cut) } };
    }
    case 'wrong-types': {
      const r = await base();
      if (!isApi(host)) {
        const ct = r.headers['content-type'] ?? '';
        return {
          type: 'send',
          response: {
            ...r,
            headers: { ...r.headers, 'content-type': SWAPPED_IMAGE_TYPE[ct] ?? 'application/octet-stream' },
          },
        };
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(r.body.toString('utf8'));
      } catch {
        return { type: 'send', response: r };
      }
      return { type: 'send', response: { ...r, body: Buffer.from(JSON.stringify(wrongTypes(host, parsed))) } };
    }
  }
}
