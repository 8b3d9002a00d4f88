import { describe, expect, it } from 'vitest';
import { IPC, isValidCall, validateCall, validateCancel, MAX_CALL_BYTES } from '../../main/electron/ipc.ts';
import { RequestTracker, type FromHost } from '../../main/electron/engine-protocol.ts';

const WINDOW = 3;
const sender = { webContentsId: WINDOW, frameUrl: 'posterity-app://bundle/index.html', isMainFrame: true };

describe('every IPC call is checked before it reaches the engine', () => {
  it('relays a well-formed call to a known method with valid parameters', () => {
    const v = validateCall(sender, WINDOW, { method: 'item-get', params: { id: 12 } });
    expect(isValidCall(v)).toBe(true);
    expect(v).toEqual({ method: 'item-get', params: { id: 12 }, callId: null });
  });

  it('keeps a call id for progress and cancel', () => {
    expect(validateCall(sender, WINDOW, { method: 'status', params: {}, callId: 'abc_123' })).toMatchObject({
      callId: 'abc_123',
    });
  });

  it.each([
    [
      'an untrusted sender',
      { ...sender, frameUrl: 'https://evil.example/' },
      { method: 'status', params: {} },
      'unauthorized',
    ],
    ['another window', { ...sender, webContentsId: 9 }, { method: 'status', params: {} }, 'unauthorized'],
    ['a sub-frame', { ...sender, isMainFrame: false }, { method: 'status', params: {} }, 'unauthorized'],
    ['not an object', sender, 'status', 'bad_request'],
    ['no method', sender, { params: {} }, 'bad_request'],
    ['extra envelope keys', sender, { method: 'status', params: {}, channel: 'x' }, 'bad_request'],
    ['a bad call id', sender, { method: 'status', params: {}, callId: '../../x' }, 'bad_request'],
    ['an unknown method', sender, { method: 'shell-exec', params: {} }, 'unknown_method'],
    ['a prototype key as method', sender, { method: '__proto__', params: {} }, 'unknown_method'],
    ['a wrong parameter type', sender, { method: 'item-get', params: { id: 'twelve' } }, 'bad_request'],
    ['an unknown parameter', sender, { method: 'status', params: { evil: true } }, 'bad_request'],
    ['a missing parameter', sender, { method: 'item-get', params: {} }, 'bad_request'],
  ])('refuses %s', (_label, from, payload, code) => {
    const v = validateCall(from, WINDOW, payload);
    expect(isValidCall(v)).toBe(false);
    expect(v).toMatchObject({ code });
  });

  it('names the bad field', () => {
    expect(validateCall(sender, WINDOW, { method: 'item-get', params: { id: -1 } })).toMatchObject({
      code: 'bad_request',
      field: 'id',
    });
  });

  it('refuses oversized calls', () => {
    const v = validateCall(sender, WINDOW, {
      method: 'config-set',
      params: { key: 'languages', value: 'x'.repeat(MAX_CALL_BYTES + 1) },
    });
    expect(v).toMatchObject({ code: 'bad_request', message: 'Request too large' });
  });

  it('cancels only from the trusted window with a well-formed id', () => {
    expect(validateCancel(sender, WINDOW, { callId: 'abc' })).toBe('abc');
    expect(validateCancel({ ...sender, webContentsId: 1 }, WINDOW, { callId: 'abc' })).toBeNull();
    expect(validateCancel(sender, WINDOW, { callId: 42 })).toBeNull();
  });

  it('uses its own channel names', () => {
    expect(Object.values(IPC).every((c) => c.startsWith('posterity:'))).toBe(true);
  });
});

describe('requests to the engine host', () => {
  it('matches replies to requests and routes progress', async () => {
    const tracker = new RequestTracker();
    const sent: number[] = [];
    const progress: number[] = [];
    const a = tracker.request(
      (id) => sent.push(id),
      (p) => progress.push(p.done),
    );
    const b = tracker.request((id) => sent.push(id));
    expect(sent).toEqual([a.id, b.id]);
    tracker.receive({ type: 'progress', id: a.id, progress: { done: 1, total: 2 } });
    tracker.receive({ type: 'reply', id: b.id, ok: true, result: 'B' });
    tracker.receive({ type: 'reply', id: a.id, ok: false, error: { code: 'not_found', message: 'gone' } });
    expect(await b.reply).toMatchObject({ ok: true, result: 'B' });
    expect(await a.reply).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(progress).toEqual([1]);
    expect(tracker.size).toBe(0);
  });

  it('answers every pending request when the host goes away', async () => {
    const tracker = new RequestTracker();
    const r = tracker.request(() => {});
    tracker.failAll('The engine stopped');
    expect(await r.reply).toMatchObject({ ok: false, error: { code: 'internal', message: 'The engine stopped' } });
  });

  it('answers at once when the host cannot be reached', async () => {
    const tracker = new RequestTracker();
    const r = tracker.request(() => {
      throw new Error('port closed');
    });
    expect(await r.reply).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('ignores messages that are not replies', () => {
    const tracker = new RequestTracker();
    expect(tracker.receive({ type: 'event', event: { type: 'libraries-changed' } } satisfies FromHost)).toBe(false);
  });
});
