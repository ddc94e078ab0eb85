import { Link } from 'react-router-dom';

export function NotFoundPage() {
  return (
    <div className="page">
      <div className="page-header">
        <h1>Page not found</h1>
      </div>
      <p className="empty">
        There is nothing at this address. <Link to="/">Go to Home</Link>
      </p>
    </div>
  );
}
