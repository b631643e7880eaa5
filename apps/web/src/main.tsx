// Tokens and the base come first in the cascade; every component imports its own CSS (components/ui.tsx explains the order).
import './styles/tokens.css';
import './styles/base.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { onlineManager, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App } from './App.tsx';
import { authClient } from './api/client.ts';
import { ApiError } from './api/errors.ts';
import { AuthProvider } from './api/auth-context.tsx';
import { ToastProvider } from './components/toasts.tsx';
import { registerServiceWorker } from './pwa.ts';
import { installTheme } from './components/ThemeSwitch.tsx';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // Client errors (404, 403, …) will not change on retry; network blips and 5xx might.
      retry: (failureCount, error) => !(error instanceof ApiError && error.status < 500) && failureCount < 2,
    },
  },
});

installTheme();
// TanStack Query only learns of going offline from events; a page opened offline must start paused.
onlineManager.setOnline(navigator.onLine);
void authClient.initialize();

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html has no #root element');

createRoot(rootElement).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <AuthProvider client={authClient}>
        <ToastProvider>
          <App />
        </ToastProvider>
      </AuthProvider>
    </QueryClientProvider>
  </StrictMode>,
);

registerServiceWorker();
