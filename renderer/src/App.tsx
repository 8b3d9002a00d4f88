import { useEffect, useMemo, useRef, useState } from 'react';
import type { ResultOf } from '../../shared/api/index.ts';
import { createBridge, type Bridge } from './api-client.ts';
import { BridgeProvider, useBridge, useClient, useConnected, useEngineEvents } from './app/bridge.tsx';
import { navigate, routeHref, useRoute, type Route } from './app/router.ts';
import { useSettings } from './app/settings.ts';
import { ErrorBoundary, ErrorMessage, Spinner, ToastProvider } from './components/ui.tsx';
import { ActivityView, OutageBanner } from './views/ActivityView.tsx';
import { ItemView } from './views/ItemView.tsx';
import { LibraryView } from './views/LibraryView.tsx';
import { SettingsView } from './views/SettingsView.tsx';
import { WelcomeView } from './views/WelcomeView.tsx';

export function App() {
  const bridge = useMemo<Bridge>(() => createBridge(), []);
  return (
    <BridgeProvider bridge={bridge}>
      <ToastProvider>
        <Shell />
      </ToastProvider>
    </BridgeProvider>
  );
}

export type Status = ResultOf<'status'>;

/** Menu commands from the desktop app that are not plain navigation go out as window events. */
export const MENU_EVENT = 'posterity-menu';

function Shell() {
  const route = useRoute();
  const client = useClient();
  const bridge = useBridge();
  const connected = useConnected();
  const settings = useSettings();
  const [status, setStatus] = useState<Status | null>(null);
  const [statusError, setStatusError] = useState<Error | null>(null);
  const refresh = useRef<ReturnType<typeof setTimeout> | null>(null);

  const loadStatus = () =>
    client.call('status', {}).then(
      (s) => {
        setStatus(s);
        setStatusError(null);
      },
      (err: Error) => setStatusError(err),
    );
  useEffect(() => {
    void loadStatus();
    // Once; engine events keep it current from then on.
  }, []);
  // Counts in the sidebar follow the engine, at most a few times a second.
  useEngineEvents((e) => {
    if (e.type === 'progress') return;
    if (refresh.current) return;
    refresh.current = setTimeout(() => {
      refresh.current = null;
      void loadStatus();
    }, 400);
  });
  // A reconnect means the server may have restarted: fetch what we show again.
  const wasConnected = useRef(connected);
  useEffect(() => {
    if (connected && !wasConnected.current) void loadStatus();
    wasConnected.current = connected;
  });

  const theme = settings.value('ui.theme') ?? 'system';
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = theme;
  }, [theme]);

  useEffect(
    () =>
      bridge.onMenu((command) => {
        const routes: Record<string, Route> = {
          'go-library': { view: 'library' },
          'go-activity': { view: 'activity' },
          'go-settings': { view: 'settings' },
        };
        const target = routes[command];
        if (target) navigate(target);
        else window.dispatchEvent(new CustomEvent(MENU_EVENT, { detail: command }));
      }),
    [bridge],
  );

  const firstRunDone = settings.value('ui.firstRunDone');
  const needsWelcome = status !== null && firstRunDone === false && status.libraries === 0 && !status.demo;
  useEffect(() => {
    if (needsWelcome && route.view === 'library') navigate({ view: 'welcome' });
  }, [needsWelcome, route.view]);

  if (!status && statusError) {
    return (
      <div className="boot">
        <ErrorMessage title="Posterity is not reachable" error={statusError} onRetry={() => void loadStatus()} />
      </div>
    );
  }
  if (!status) {
    return (
      <div className="boot">
        <Spinner label="Starting Posterity" />
      </div>
    );
  }
  if (route.view === 'welcome') {
    return (
      <ErrorBoundary resetKey="welcome">
        <WelcomeView settings={settings} onDone={() => void loadStatus().then(() => navigate({ view: 'library' }))} />
      </ErrorBoundary>
    );
  }

  return (
    <div className="shell">
      <Sidebar route={route} status={status} connected={connected} />
      <main className="main" id="main">
        {!connected && (
          <div className="banner banner-warn" role="alert">
            The connection to Posterity was lost. Reconnecting…
          </div>
        )}
        {status.demo && (
          <div className="banner banner-demo" role="note">
            <strong>Demo</strong> — fake artwork services and a generated sample library in a temporary folder. Nothing
            here touches your own files.
          </div>
        )}
        <OutageBanner />
        <ErrorBoundary resetKey={routeHref(route)}>
          {route.view === 'library' && <LibraryView status={status} />}
          {route.view === 'item' && <ItemView key={route.id} id={route.id} />}
          {route.view === 'activity' && <ActivityView />}
          {route.view === 'settings' && <SettingsView settings={settings} section={route.section} />}
        </ErrorBoundary>
      </main>
    </div>
  );
}

const NAV: Array<{ view: 'library' | 'activity' | 'settings'; label: string; icon: string }> = [
  {
    view: 'library',
    label: 'Library',
    icon: 'M4 5h4v6H4V5Zm6 0h4v6h-4V5Zm6 0h4v6h-4V5ZM4 13h4v6H4v-6Zm6 0h4v6h-4v-6Zm6 0h4v6h-4v-6Z',
  },
  { view: 'activity', label: 'Activity', icon: 'M3 12h4l3-7 4 14 3-7h4' },
  {
    view: 'settings',
    label: 'Settings',
    icon: 'M12 8.5a3.5 3.5 0 1 1 0 7 3.5 3.5 0 0 1 0-7ZM4 12h2m12 0h2M12 4v2m0 12v2M6.3 6.3l1.4 1.4m8.6 8.6 1.4 1.4m0-11.4-1.4 1.4m-8.6 8.6-1.4 1.4',
  },
];

function Sidebar({ route, status, connected }: { route: Route; status: Status; connected: boolean }) {
  const active = route.view === 'item' ? 'library' : route.view;
  const running = status.jobs.running + status.jobs.queued;
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <svg viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
          <rect x="5" y="3" width="22" height="26" rx="3" fill="var(--accent)" />
          <rect x="9" y="7" width="14" height="13" rx="1.5" fill="var(--accent-contrast)" opacity="0.9" />
          <rect x="9" y="23" width="9" height="2" rx="1" fill="var(--accent-contrast)" opacity="0.8" />
        </svg>
        <span>Posterity</span>
        {status.demo && <span className="badge badge-demo">Demo</span>}
      </div>
      <ul>
        {NAV.map((n) => (
          <li key={n.view}>
            <a
              href={routeHref({ view: n.view })}
              className={active === n.view ? 'nav-active' : undefined}
              aria-current={active === n.view ? 'page' : undefined}
            >
              <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                <path
                  d={n.icon}
                  fill="none"
                  stroke="currentColor"
                  strokeWidth="1.8"
                  strokeLinecap="round"
                  strokeLinejoin="round"
                />
              </svg>
              <span>{n.label}</span>
              {n.view === 'library' && <span className="nav-count">{status.items.total.toLocaleString()}</span>}
              {n.view === 'activity' && running > 0 && <span className="nav-count nav-busy">{running}</span>}
              {n.view === 'activity' && running === 0 && status.jobs.failed > 0 && (
                <span className="nav-count nav-failed" title={`${status.jobs.failed} failed`}>
                  {status.jobs.failed}
                </span>
              )}
            </a>
          </li>
        ))}
      </ul>
      <div className="sidebar-foot">
        <span className={`dot ${connected ? 'dot-ok' : 'dot-bad'}`} aria-hidden="true" />
        <span>{connected ? 'Connected' : 'Reconnecting…'}</span>
        <span className="muted">v{status.version}</span>
      </div>
    </nav>
  );
}
