import { lazy, Suspense, useEffect, useRef } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { useAuth } from './auth/auth-context.tsx';
import { RequireAuth } from './auth/RequireAuth.tsx';
import { Layout } from './components/Layout.tsx';
import { PageLoading } from './components/ui.tsx';
import { queryKeys } from './api/query-keys.ts';
import { ChannelPage } from './pages/ChannelPage.tsx';
import { HomePage } from './pages/HomePage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { RegisterPage } from './pages/RegisterPage.tsx';
import { ResultsPage } from './pages/ResultsPage.tsx';
import { SessionsPage } from './pages/SessionsPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { useUpdatePrompt } from './pwa.ts';

// Pages with heavy dependencies (hls.js, tus-js-client) or that few visitors open load on demand.
const WatchPage = lazy(() => import('./pages/WatchPage.tsx').then((module) => ({ default: module.WatchPage })));
const UploadPage = lazy(() => import('./upload/UploadPage.tsx').then((module) => ({ default: module.UploadPage })));
const StudioPage = lazy(() => import('./pages/StudioPage.tsx').then((module) => ({ default: module.StudioPage })));
const TrendingPage = lazy(() => import('./pages/TrendingPage.tsx').then((module) => ({ default: module.TrendingPage })));
const SubscriptionsPage = lazy(() => import('./pages/SubscriptionsPage.tsx').then((module) => ({ default: module.SubscriptionsPage })));
const LibraryPage = lazy(() => import('./pages/LibraryPage.tsx').then((module) => ({ default: module.LibraryPage })));
const HistoryPage = lazy(() => import('./pages/HistoryPage.tsx').then((module) => ({ default: module.HistoryPage })));
const LikedVideosPage = lazy(() => import('./pages/LikedVideosPage.tsx').then((module) => ({ default: module.LikedVideosPage })));
const PlaylistsPage = lazy(() => import('./pages/PlaylistsPage.tsx').then((module) => ({ default: module.PlaylistsPage })));
const PlaylistPage = lazy(() => import('./pages/PlaylistPage.tsx').then((module) => ({ default: module.PlaylistPage })));
const MyChannelsPage = lazy(() => import('./pages/MyChannelsPage.tsx').then((module) => ({ default: module.MyChannelsPage })));
const AdminReportsPage = lazy(() => import('./pages/AdminReportsPage.tsx').then((module) => ({ default: module.AdminReportsPage })));

/** Cached data can depend on who is signed in (private videos, the studio): refetch when that changes. */
function useRefetchOnAccountChange() {
  const { status, user } = useAuth();
  const queryClient = useQueryClient();
  const accountId = status === 'loading' ? undefined : (user?.id ?? null);
  const previousAccountId = useRef(accountId);
  useEffect(() => {
    const previous = previousAccountId.current;
    previousAccountId.current = accountId;
    if (previous === undefined || previous === accountId) return;
    queryClient.removeQueries({ queryKey: ['studio'] });
    queryClient.removeQueries({ queryKey: ['sessions'] });
    // Someone else's library, notifications and private playlists must not show, even briefly.
    queryClient.removeQueries({ queryKey: queryKeys.me });
    queryClient.removeQueries({ queryKey: ['playlist'] });
    void queryClient.invalidateQueries();
  }, [accountId, queryClient]);
}

export function App() {
  useRefetchOnAccountChange();
  useUpdatePrompt();
  return (
    <BrowserRouter>
      <Routes>
        <Route path="/signin" element={<SignInPage />} />
        <Route path="/register" element={<RegisterPage />} />
        <Route
          path="*"
          element={
            <Layout>
              <Suspense fallback={<PageLoading />}>
                <Routes>
                  <Route path="/" element={<HomePage />} />
                  <Route path="/results" element={<ResultsPage />} />
                  <Route path="/watch/:id" element={<WatchPage />} />
                  <Route path="/channel/:handle" element={<ChannelPage />} />
                  <Route path="/feed/trending" element={<TrendingPage />} />
                  <Route path="/feed/subscriptions" element={<SubscriptionsPage />} />
                  <Route path="/feed/library" element={<LibraryPage />} />
                  <Route path="/feed/history" element={<HistoryPage />} />
                  <Route path="/feed/liked" element={<LikedVideosPage />} />
                  <Route path="/feed/playlists" element={<PlaylistsPage />} />
                  <Route path="/playlist/:id" element={<PlaylistPage />} />
                  <Route
                    path="/channels/mine"
                    element={
                      <RequireAuth>
                        <MyChannelsPage />
                      </RequireAuth>
                    }
                  />
                  <Route
                    path="/admin/reports"
                    element={
                      <RequireAuth>
                        <AdminReportsPage />
                      </RequireAuth>
                    }
                  />
                  <Route
                    path="/upload"
                    element={
                      <RequireAuth>
                        <UploadPage />
                      </RequireAuth>
                    }
                  />
                  <Route
                    path="/studio"
                    element={
                      <RequireAuth>
                        <StudioPage />
                      </RequireAuth>
                    }
                  />
                  <Route
                    path="/settings/sessions"
                    element={
                      <RequireAuth>
                        <SessionsPage />
                      </RequireAuth>
                    }
                  />
                  <Route path="*" element={<NotFoundPage />} />
                </Routes>
              </Suspense>
            </Layout>
          }
        />
      </Routes>
    </BrowserRouter>
  );
}
