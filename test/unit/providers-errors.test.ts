import { describe, expect, it } from 'vitest';
import { errorFromResponse } from '../../main/core/providers/errors.ts';

const answer = (status: number, body: unknown = {}) => ({ status, body, text: '', fromCache: false });

describe('what a user reads when a provider says no', () => {
  it('names the setting to change: the key on a refusal, the pace when it keeps saying "too many"', () => {
    expect(errorFromResponse('fanart', answer(401)).message).toMatch(/Fanart\.tv API key was rejected.*fanart\.apiKey setting/);
    const busy = errorFromResponse('tmdb', answer(429));
    expect(busy.kind).toBe('rate_limited');
    expect(busy.message).toMatch(/HTTP 429.*lower the tmdb\.requestsPerSecond setting/);
    expect(errorFromResponse('fanart', answer(429)).message).toMatch(/fanart\.requestsPerSecond/);
  });
});
