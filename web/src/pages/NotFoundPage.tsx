import { Link } from '../components/Link.tsx';

export function NotFoundPage() {
  return (
    <div className="card narrow">
      <h1>Page not found</h1>
      <p>There is no console page at this address.</p>
      <p>
        <Link to="">Go to the overview</Link>
      </p>
    </div>
  );
}
