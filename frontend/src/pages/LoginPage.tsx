import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate, type Location } from 'react-router-dom';
import { useLogin } from '../api/hooks/useLogin';
import { useMe } from '../api/hooks/useMe';
import { errorMessage } from '../components/ErrorPanel';

interface LoginState {
  from?: Pick<Location, 'pathname' | 'search' | 'hash'>;
  loggedOut?: boolean;
}

/** Where to go after login: the page the user was sent away from (never /login itself), else Home. */
export function redirectTarget(state: unknown): string {
  const from = (state as LoginState | null)?.from;
  if (!from || typeof from.pathname !== 'string' || !from.pathname.startsWith('/')) return '/';
  if (from.pathname === '/login' || from.pathname.startsWith('//')) return '/';
  return `${from.pathname}${from.search ?? ''}${from.hash ?? ''}`;
}

export function LoginPage() {
  const location = useLocation();
  const navigate = useNavigate();
  const me = useMe();
  const login = useLogin();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const target = redirectTarget(location.state);
  const loggedOut = Boolean((location.state as LoginState | null)?.loggedOut);

  if (me.data && !loggedOut && !login.isPending && !login.isSuccess) {
    return <Navigate to={target} replace />;
  }

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    login.mutate(
      { username: username.trim(), password },
      { onSuccess: () => void navigate(target, { replace: true }) },
    );
  };

  return (
    <div className="login-screen">
      <form className="login-card" onSubmit={onSubmit} noValidate={false}>
        <h1 className="login-title">ModuleBench</h1>
        <p className="muted">Sign in to continue.</p>
        <div className="field">
          <label htmlFor="login-username">Username</label>
          <input
            id="login-username"
            name="username"
            type="text"
            autoComplete="username"
            autoFocus
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {login.isError && (
          <div className="form-error" role="alert">
            {errorMessage(login.error)}
          </div>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={login.isPending}>
          Log in
        </button>
      </form>
    </div>
  );
}
