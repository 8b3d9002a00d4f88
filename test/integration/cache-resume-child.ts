/**
 * Child process for the crash-resume test: opens an engine on the given data dir and starts one
 * download, which the test's server never finishes; the test kills this process mid-body.
 */
import { createEngine } from '../../main/core/engine.ts';
import { createLogger } from '../../main/core/log.ts';

const [dataDir, url] = process.argv.slice(2);
if (!dataDir || !url) throw new Error('usage: cache-resume-child DATA_DIR URL');
const engine = await createEngine({ dataDir, env: {}, logger: createLogger({ consoleLevel: 'silent' }) });
process.stdout.write('engine-ready\n');
await engine.services.cache.ingestUrl(url, { provider: 'tmdb', area: 'assets' });
process.stdout.write('finished\n'); // never reached: the test kills us first
