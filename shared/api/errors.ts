/** Error codes that cross every door. A door never sends a stack trace, only these. */
export const ERROR_CODES = [
  'bad_request', // parameters failed validation; `field` names the culprit
  'unknown_method',
  'unauthorized',
  'not_found',
  'conflict', // the request contradicts current state (e.g. a lock, a duplicate)
  'provider_error', // an outside service failed or refused us
  'io_error', // the filesystem or database refused
  'cancelled',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The plain shape of an error as it crosses a door. */
export interface ApiErrorShape {
  code: ErrorCode;
  message: string;
  field?: string;
}

/** Thrown by handlers for errors a user should read; anything else becomes `internal`. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.field = field;
  }

  toJSON(): ApiErrorShape {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }

  static from(shape: ApiErrorShape): ApiError {
    return new ApiError(shape.code, shape.message, shape.field);
  }
}

export function isApiErrorShape(value: unknown): value is ApiErrorShape {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.code === 'string' &&
    (ERROR_CODES as readonly string[]).includes(v.code) &&
    typeof v.message === 'string'
  );
}
