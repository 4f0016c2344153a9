import { permanentRedirect } from 'next/navigation';

// The portfolio moved to `/`; old bookmarks keep working.
export default function PortfolioRedirect() {
  permanentRedirect('/');
}
