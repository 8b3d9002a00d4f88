import { useEffect, useState } from 'react';

/** The app's screens; the hash holds the route so reload and back/forward work in a browser. */
export type Route =
  | { view: 'library' }
  | { view: 'item'; id: number }
  | { view: 'activity' }
  | { view: 'settings'; section?: string }
  | { view: 'welcome' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  switch (parts[0]) {
    case 'item': {
      const id = Number(parts[1]);
      return Number.isInteger(id) && id > 0 ? { view: 'item', id } : { view: 'library' };
    }
    case 'activity':
      return { view: 'activity' };
    case 'settings':
      return parts[1] ? { view: 'settings', section: parts[1] } : { view: 'settings' };
    case 'welcome':
      return { view: 'welcome' };
    default:
      return { view: 'library' };
  }
}

export function routeHref(route: Route): string {
  switch (route.view) {
    case 'item':
      return `#/item/${route.id}`;
    case 'settings':
      return route.section ? `#/settings/${route.section}` : '#/settings';
    default:
      return `#/${route.view}`;
  }
}

export function navigate(route: Route): void {
  const href = routeHref(route);
  if (window.location.hash !== href) window.location.hash = href;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
