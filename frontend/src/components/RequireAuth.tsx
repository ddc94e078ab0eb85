import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { useMe } from '../api/hooks/useMe';
import { ErrorPanel } from './ErrorPanel';

/** Renders children for a signed-in user; otherwise redirects to /login, remembering where the user was. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const location = useLocation();
  const me = useMe();

  if (me.data === undefined) {
    if (me.isError) {
      return (
        <div className="center-screen">
          <ErrorPanel title="Could not load your session" error={me.error} onRetry={() => void me.refetch()} />
        </div>
      );
    }
    return (
      <div className="center-screen muted" aria-busy="true">
        Loading…
      </div>
    );
  }
  if (me.data === null) {
    return <Navigate to="/login" replace state={{ from: location }} />;
  }
  return <>{children}</>;
}
