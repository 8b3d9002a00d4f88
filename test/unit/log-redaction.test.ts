import { describe, expect, it } from 'vitest';
import { createLogger } from '../../main/core/log.ts';

describe('logging never shows a secret', () => {
  it('masks registered secrets and credentials in URLs, at every level and in data', () => {
    const lines: string[] = [];
    const log = createLogger({ consoleLevel: 'debug', consoleWrite: (l) => lines.push(l) });
    log.addSecret('tmdb-secret-123456');
    log.child('tmdb').error('Request to https://api.example/3/movie/1?api_key=tmdb-secret-123456&language=en failed');
    log.info('fanart', { url: 'https://webservice.example/v3/movies/1?api_key=abc123def&client_key=zzz999' });
    log.debug('header Bearer tmdb-secret-123456');
    const all = lines.join('\n');
    expect(all).not.toContain('tmdb-secret-123456');
    expect(all).not.toContain('abc123def');
    expect(all).not.toContain('zzz999');
    expect(all).toContain('api_key=***');
    expect(lines).toHaveLength(3);
  });

  it('drops lines below the configured level', () => {
    const lines: string[] = [];
    const log = createLogger({ consoleLevel: 'warn', consoleWrite: (l) => lines.push(l) });
    log.info('chatty');
    log.warn('important');
    expect(lines).toEqual([expect.stringContaining('important')]);
  });
});
