import type { Logger } from '../log.ts';
import type { Services } from '../services.ts';

/** How often the process running the jobs looks at what other processes changed. */
const FOLLOW_EVERY_MS = 5000;

/**
 * Keeps the process that runs the jobs (daemon or app) in step with what other processes change
 * in the shared data folder: `posterity config set` or `library add` beside a running daemon. A
 * setting or library changed there used to reach the daemon only at its next start. SQLite's
 * `data_version` moves whenever another connection commits, so a quiet turn costs one pragma.
 * The watchers are synced on every turn regardless: a library root that went away (unmounted)
 * can come back without anything being written. Returns the function that stops it.
 */
export function followOtherProcesses(s: Services, log: Logger, everyMs = FOLLOW_EVERY_MS): () => void {
  const dataVersion = () => Number(s.database.sqlite.pragma('data_version', { simple: true }));
  let seen = dataVersion();
  let turning = false;
  const turn = async () => {
    const now = dataVersion();
    if (now !== seen) {
      seen = now;
      const keys = await s.settings.reload();
      if (keys.length > 0) log.info('Settings changed by another process', { keys });
    }
    await s.library.syncWatching();
  };
  const timer = setInterval(() => {
    if (turning) return;
    turning = true;
    turn()
      .catch((err: unknown) => log.warn('Following other processes failed', { error: String(err) }))
      .finally(() => {
        turning = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
