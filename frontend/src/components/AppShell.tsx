import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
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
  { to: '/dataset-types', label: 'Dataset Types' },
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
  // Below 1100 px the navigation folds away behind a Menu button (CSS), so pages keep the width.
  const [navOpen, setNavOpen] = useState(false);

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
    <div className={`app${navOpen ? ' nav-open' : ''}`}>
      <a className="skip-link" href="#main-content">
        Skip to content
      </a>
      <header className="topbar">
        <div className="topbar-left">
          <button
            type="button"
            className="btn btn-ghost nav-toggle"
            aria-controls="main-nav"
            aria-expanded={navOpen}
            onClick={() => setNavOpen((open) => !open)}
          >
            <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true">
              <path d="M2 4h12M2 8h12M2 12h12" stroke="currentColor" strokeWidth="1.8" />
            </svg>
            Menu
          </button>
          <div className="brand">ModuleBench</div>
        </div>
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
        <nav className="sidenav" id="main-nav" aria-label="Main" onClick={() => setNavOpen(false)}>
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
        <main className="content" id="main-content" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
      <Toaster />
    </div>
  );
}
