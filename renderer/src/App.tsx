import { useEffect, useMemo, useState } from 'react';
import type { ResultOf } from '../../shared/api/index.ts';
import { createBridge } from './api-client.ts';

export function App() {
  const bridge = useMemo(() => createBridge(), []);
  const [status, setStatus] = useState<ResultOf<'status'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    bridge.client.call('status', {}).then(setStatus, (e: Error) => setError(e.message));
  }, [bridge]);
  return (
    <main>
      <h1>Posterity</h1>
      {error && <p role="alert">{error}</p>}
      {status && (
        <p>
          {status.libraries} libraries, {status.items.total} items
        </p>
      )}
    </main>
  );
}
