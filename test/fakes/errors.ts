/** Provider-faithful error bodies. */

export const TMDB_ERRORS = {
  authFailed: {
    http: 401,
    code: 3,
    message: 'Authentication failed: You do not have permissions to access the service.',
  },
  invalidKey: { http: 401, code: 7, message: 'Invalid API key: You must be granted a valid key.' },
  internal: { http: 500, code: 11, message: 'Internal error: Something went wrong, contact TMDB.' },
  invalidPage: {
    http: 400,
    code: 22,
    message: 'Invalid page: Pages start at 1 and max at 500. They are expected to be an integer.',
  },
  tooManyAppends: {
    http: 400,
    code: 27,
    message: 'Too many append to response objects: The maximum number of remote calls is 20.',
  },
  notFound: { http: 404, code: 34, message: 'The resource you requested could not be found.' },
  maintenance: { http: 503, code: 46, message: 'The API is undergoing maintenance. Try again later.' },
} as const;

export interface TmdbErrorBody {
  success: false;
  status_code: number;
  status_message: string;
}

export function tmdbErrorBody(code: number, message: string): TmdbErrorBody {
  return { success: false, status_code: code, status_message: message };
}

export function tmdbRateLimitBody(count: number, limit: number): TmdbErrorBody {
  return tmdbErrorBody(25, `Your request count (${count}) is over the allowed limit of ${limit}.`);
}

/** The body TMDB would send for an arbitrary HTTP status (used by injected faults). */
export function tmdbErrorForStatus(status: number): TmdbErrorBody {
  switch (status) {
    case 401:
      return tmdbErrorBody(TMDB_ERRORS.invalidKey.code, TMDB_ERRORS.invalidKey.message);
    case 404:
      return tmdbErrorBody(TMDB_ERRORS.notFound.code, TMDB_ERRORS.notFound.message);
    case 400:
      return tmdbErrorBody(TMDB_ERRORS.invalidPage.code, TMDB_ERRORS.invalidPage.message);
    case 429:
      return tmdbRateLimitBody(41, 40);
    case 503:
      return tmdbErrorBody(TMDB_ERRORS.maintenance.code, TMDB_ERRORS.maintenance.message);
    default:
      return tmdbErrorBody(TMDB_ERRORS.internal.code, TMDB_ERRORS.internal.message);
  }
}

export const FANART_MESSAGES = {
  invalidKey: 'Invalid project key or no project key was given.',
  notFound: 'Not found',
} as const;

export function fanartErrorBody(message: string): { status: 'error'; 'error message': string } {
  return { status: 'error', 'error message': message };
}

export function fanartErrorForStatus(status: number): { status: 'error'; 'error message': string } {
  switch (status) {
    case 401:
      return fanartErrorBody(FANART_MESSAGES.invalidKey);
    case 404:
      return fanartErrorBody(FANART_MESSAGES.notFound);
    case 429:
      return fanartErrorBody('Too many requests');
    default:
      return fanartErrorBody('Internal server error');
  }
}
