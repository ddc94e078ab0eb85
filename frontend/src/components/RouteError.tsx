import { isRouteErrorResponse, Link, useRouteError } from 'react-router-dom';

/** Shown when a route throws while rendering. */
export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : 'Unexpected error.';
  return (
    <div className="center-screen">
      <div className="panel panel-error" role="alert">
        <strong>Something went wrong</strong>
        <p>{message}</p>
        <Link to="/">Go to Home</Link>
      </div>
    </div>
  );
}
