import { Link } from 'react-router-dom';
import { EmptyState } from '../components/ui.tsx';
import { useDocumentTitle } from '../lib/use-document-title.ts';

export function NotFoundPage() {
  useDocumentTitle('Page not found');
  return (
    <div className="page">
      <EmptyState icon="error" title="This page isn't available">
        <p className="muted">The link may be broken, or the page may have been removed.</p>
        <Link to="/" className="button button-secondary">
          Go to Home
        </Link>
      </EmptyState>
    </div>
  );
}
