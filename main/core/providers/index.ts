import type { Services } from '../services.ts';
import { basicHttpClient } from './basic-http-client.ts';
import type { HttpClient } from './http.ts';

/** The providers domain: the one HTTP client for the outside world, and the provider clients. */
export interface ProvidersDomain {
  http: HttpClient;
  close(): Promise<void>;
}

export function createProvidersDomain(_s: Services): ProvidersDomain {
  const http = basicHttpClient();
  return {
    http,
    close: () => http.close(),
  };
}
