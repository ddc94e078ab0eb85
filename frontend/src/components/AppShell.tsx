import { useQueryClient } from '@tanstack/react-query';
import { NavLink, Outlet, useNavigate } from 'react-router-dom';
import { useMe } from '../api/hooks/useMe';
import { resetSession } from '../api/session';
import { useLogout } from '../api/hooks/useLogout';
import { capitalize, displayName } from '../format';
import { errorMessage } from './ErrorPanel';
import { LiveIndicator } from './LiveIndicator';
import { Toaster } from './Toasts';

const NAV = [
  { to: '/', label: 'Home', end: true },
  { to: '/datasets', label: 'Datasets' },
  { to: '/module-types', label: 'Module Types' },
  { to: '/modules', label: 'Modules' },
  { to: '/history', label: 'History' },
];

/** Layout of every signed-in page: top bar, left navigation, content. */
export function AppShell() {
  const { data: me } = useMe();
  const logout = useLogout();
  const queryClient = useQueryClient();
  const navigate = useNavigate();

  const onLogout = () => {
    logout.mutate(undefined, {
      onSuccess: async () => {
        // Leave first (so /login is not told to come back here), then forget the session and the cache.
        await navigate('/login', { replace: true, state: { loggedOut: true } });
        resetSession(queryClient, null);
      },
    });
  };

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">ModuleBench</div>
        <div className="topbar-right">
          <LiveIndicator />
          {me && (
            <span className="user">
              <span className="user-name" data-testid="user-name">
                {displayName(me)}
              </span>
              <span className={`badge role-${me.role}`} data-testid="user-role">
                {capitalize(me.role)}
              </span>
            </span>
          )}
          <button type="button" className="btn btn-ghost" onClick={onLogout} disabled={logout.isPending}>
            Log out
          </button>
        </div>
      </header>
      {logout.isError && (
        <div className="banner banner-error" role="alert">
          Could not log out: {errorMessage(logout.error)}
        </div>
      )}
      <div className="layout">
        <nav className="sidenav" aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.end}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <main className="content">
          <Outlet />
        </main>
      </div>
      <Toaster />
    </div>
  );
}
