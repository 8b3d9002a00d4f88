import type { ProviderId } from '../../../shared/settings.ts';
import { HttpError, type JsonResponse } from './http.ts';

export type ProviderFailure =
  | 'auth' // the key was refused
  | 'not_configured' // no key
  | 'not_found'
  | 'rate_limited'
  | 'unavailable' // 5xx, maintenance
  | 'bad_response' // not JSON, or not the shape we know
  | 'network'
  | 'timeout'
  | 'too_large';

export const PROVIDER_LABELS: Readonly<Record<ProviderId, string>> = { tmdb: 'TMDB', fanart: 'Fanart.tv' };

/** Failures that may pass by themselves; the item is retried sooner after them. */
const TRANSIENT: ReadonlySet<ProviderFailure> = new Set([
  'rate_limited',
  'unavailable',
  'network',
  'timeout',
  'bad_response',
]);

/** A provider failed; `message` is written for the user and never contains a key. */
export class ProviderError extends Error {
  readonly provider: ProviderId;
  readonly kind: ProviderFailure;
  constructor(provider: ProviderId, kind: ProviderFailure, message: string) {
    super(message);
    this.name = 'ProviderError';
    this.provider = provider;
    this.kind = kind;
  }

  get transient(): boolean {
    return TRANSIENT.has(this.kind);
  }
}

/** The provider's own words from an error body (TMDB status_message, Fanart "error message"). */
function providerMessage(body: unknown): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  const text = b.status_message ?? b['error message'] ?? b.message;
  return typeof text === 'string' && text.trim() ? text.trim().slice(0, 200) : null;
}

const SETTING_OF: Readonly<Record<ProviderId, string>> = { tmdb: 'tmdb.apiKey', fanart: 'fanart.apiKey' };
/** The setting that paces a provider, named when it keeps answering 429. */
const RATE_SETTING_OF: Readonly<Record<ProviderId, string>> = {
  tmdb: 'tmdb.requestsPerSecond',
  fanart: 'fanart.requestsPerSecond',
};

/**
 * A non-success answer as the error a user reads. `typedKey`: the request carried a key being
 * tried before saving, so a refusal points at that key, not at the setting.
 */
export function errorFromResponse(provider: ProviderId, res: JsonResponse, typedKey = false): ProviderError {
  const label = PROVIDER_LABELS[provider];
  const said = providerMessage(res.body);
  const quoted = said
    ? ` (${label} said: "${said}")`
    : res.body === undefined && res.text
      ? ` (not JSON: "${snippet(res.text)}")`
      : '';
  if (res.status === 401 || res.status === 403) {
    if (typedKey) {
      return new ProviderError(
        provider,
        'auth',
        `${label} rejected this key${quoted}. Check that it was copied whole.`,
      );
    }
    return new ProviderError(
      provider,
      'auth',
      `Your ${label} API key was rejected${quoted}. Check the ${SETTING_OF[provider]} setting.`,
    );
  }
  if (res.status === 404) return new ProviderError(provider, 'not_found', `${label} has no such entry${quoted}.`);
  if (res.status === 429) {
    return new ProviderError(
      provider,
      'rate_limited',
      `${label} kept refusing requests as too many (HTTP 429); try again later. If it goes on, lower the ${RATE_SETTING_OF[provider]} setting.`,
    );
  }
  if (res.status >= 500)
    return new ProviderError(provider, 'unavailable', `${label} is unavailable (HTTP ${res.status})${quoted}.`);
  return new ProviderError(provider, 'bad_response', `${label} answered HTTP ${res.status}${quoted}.`);
}

/** A 2xx answer whose body is not JSON (an HTML page, a cut-off document). */
export function notJson(provider: ProviderId, res: JsonResponse): ProviderError {
  const label = PROVIDER_LABELS[provider];
  return new ProviderError(
    provider,
    'bad_response',
    `${label} sent something that is not JSON: "${snippet(res.text) || 'an empty answer'}".`,
  );
}

export function badShape(provider: ProviderId, what: string, problems: string[]): ProviderError {
  const label = PROVIDER_LABELS[provider];
  return new ProviderError(
    provider,
    'bad_response',
    `${label} sent ${what} in a form Posterity does not know (${problems.slice(0, 3).join('; ')}).`,
  );
}

/** Transport failures (after the HTTP client's retries) as provider errors. */
export function fromHttpError(provider: ProviderId, err: HttpError): ProviderError {
  const label = PROVIDER_LABELS[provider];
  const kind: ProviderFailure = err.code === 'rate_limited' ? 'rate_limited' : err.code;
  const what =
    err.code === 'timeout'
      ? 'did not answer in time'
      : err.code === 'too_large'
        ? 'sent an answer that is too large'
        : 'could not be reached';
  return new ProviderError(provider, kind, `${label} ${what}: ${err.message}`);
}

/** Anything thrown while talking to a provider, as a ProviderError (cancellation passes through). */
export function asProviderError(provider: ProviderId, err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof HttpError) return fromHttpError(provider, err);
  throw err;
}

function snippet(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 80);
}
