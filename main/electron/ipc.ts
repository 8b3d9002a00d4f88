import { z } from 'zod';
import { API, isMethodName, type ApiErrorShape, type MethodName } from '../../shared/api/index.ts';
import { isTrustedSender, type SenderInfo } from './security.ts';

/**
 * Main's checks on what the window sends: sender, envelope shape, method name and parameters,
 * before anything is relayed to the engine.
 */

export { IPC } from './ipc-channels.ts';

/** What crosses back for every call: never a thrown Error (its code would be lost on the way). */
export type CallReply = { ok: true; result: unknown } | { ok: false; error: ApiErrorShape };

export interface ValidCall {
  method: MethodName;
  params: unknown;
  callId: string | null;
}

// The envelope itself; parameters are then checked against the method's own schema.
const envelope = z
  .object({
    method: z.string().min(1).max(64),
    params: z.unknown(),
    callId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
  })
  .strict();

const cancelEnvelope = z.object({ callId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }).strict();

/** Most bytes one call may carry (an uploaded image travels as a path, not as bytes). */
export const MAX_CALL_BYTES = 1024 * 1024;

/**
 * Checks one `posterity:call` message. Returns the call to relay, or the error to send back.
 * The engine's dispatcher validates again; this keeps malformed or oversized input from ever
 * leaving the main process.
 */
export function validateCall(
  sender: SenderInfo,
  windowWebContentsId: number | null,
  payload: unknown,
): ValidCall | ApiErrorShape {
  if (!isTrustedSender(sender, windowWebContentsId)) return { code: 'unauthorized', message: 'Untrusted sender' };
  const parsed = envelope.safeParse(payload);
  if (!parsed.success) return { code: 'bad_request', message: 'Malformed call' };
  const { method, params, callId } = parsed.data;
  if (!isMethodName(method)) return { code: 'unknown_method', message: `Unknown API method "${method}"` };
  if (approximateSize(params) > MAX_CALL_BYTES) return { code: 'bad_request', message: 'Request too large' };
  const checked = API[method].params.safeParse(params ?? {});
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join('.') : undefined;
    const message = issue ? `${field ? `${field}: ` : ''}${issue.message}` : 'Invalid parameters';
    return field === undefined ? { code: 'bad_request', message } : { code: 'bad_request', message, field };
  }
  return { method, params: params ?? {}, callId: callId ?? null };
}

/** Checks one `posterity:cancel` message; returns the call id to abort or null. */
export function validateCancel(
  sender: SenderInfo,
  windowWebContentsId: number | null,
  payload: unknown,
): string | null {
  if (!isTrustedSender(sender, windowWebContentsId)) return null;
  const parsed = cancelEnvelope.safeParse(payload);
  return parsed.success ? parsed.data.callId : null;
}

export function isValidCall(v: ValidCall | ApiErrorShape): v is ValidCall {
  return 'method' in v;
}

function approximateSize(value: unknown): number {
  try {
    return JSON.stringify(value ?? null).length;
  } catch {
    return Number.POSITIVE_INFINITY; // cycles, BigInt: not JSON, not ours
  }
}
