import { lazy, Suspense, useEffect, useRef } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { useAuth } from './api/auth-context.tsx';
import { RequireAuth } from './features/auth/RequireAuth.tsx';
import { Layout } from './app/Layout.tsx';
import { PageLoading } from './components/ui.tsx';
import { ChannelPage } from './pages/ChannelPage.tsx';
import { HomePage } from './pages/HomePage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { RegisterPage } from './pages/RegisterPage.tsx';
import { ResultsPage } from './pages/ResultsPage.tsx';
import { SessionsPage } from './pages/SessionsPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { ForgotPasswordPage } from './pages/ForgotPasswordPage.tsx';
import { ResetPasswordPage } from './pages/ResetPasswordPage.tsx';
import { VerifyEmailPage } from './pages/VerifyEmailPage.tsx';
import { ExternalSignInPage } from './pages/ExternalSignInPage.tsx';
import { useUpdatePrompt } from './pwa.ts';
import { keyRoots } from './api/query-keys.ts';
import { authKeys } from './features/auth/api.ts';
import { PlayerHostProvider } from './app/PlayerHost.tsx';

// Pages with heavy dependencies (hls.js, tus-js-client) or that few visitors open load on demand.
const WatchPage = lazy(() => import('./pages/WatchPage.tsx').then((module) => ({ default: module.WatchPage })));
const UploadPage = lazy(() => import('./pages/UploadPage.tsx').then((module) => ({ default: module.UploadPage })));
const StudioPage = lazy(() => import('./pages/StudioPage.tsx').then((module) => ({ default: module.StudioPage })));
const TrendingPage = lazy(() => import('./pages/TrendingPage.tsx').then((module) => ({ default: module.TrendingPage })));
const SubscriptionsPage = lazy(() => import('./pages/SubscriptionsPage.tsx').then((module) => ({ default: module.SubscriptionsPage })));
const LibraryPage = lazy(() => import('./pages/LibraryPage.tsx').then((module) => ({ default: module.LibraryPage })));
const HistoryPage = lazy(() => import('./pages/HistoryPage.tsx').then((module) => ({ default: module.HistoryPage })));
const LikedVideosPage = lazy(() => import('./pages/LikedVideosPage.tsx').then((module) => ({ default: module.LikedVideosPage })));
const PlaylistsPage = lazy(() => import('./pages/PlaylistsPage.tsx').then((module) => ({ default: module.PlaylistsPage })));
const PlaylistPage = lazy(() => import('./pages/PlaylistPage.tsx').then((module) => ({ default: module.PlaylistPage })));
const MyChannelsPage = lazy(() => import('./pages/MyChannelsPage.tsx').then((module) => ({ default: module.MyChannelsPage })));
const EmbedPage = lazy(() => import('./pages/EmbedPage.tsx').then((module) => ({ default: module.EmbedPage })));
const VideoAnalyticsPage = lazy(() => import('./features/studio/AnalyticsPage.tsx').then((module) => ({ default: module.VideoAnalyticsPage })));
const ChannelAnalyticsPage = lazy(() => import('./features/studio/AnalyticsPage.tsx').then((module) => ({ default: module.ChannelAnalyticsPage })));
const AccountSettingsPage = lazy(() => import('./pages/AccountSettingsPage.tsx').then((module) => ({ default: module.AccountSettingsPage })));
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
    queryClient.removeQueries({ queryKey: keyRoots.studio });
    queryClient.removeQueries({ queryKey: authKeys.sessions });
    queryClient.removeQueries({ queryKey: authKeys.account });
    // Someone else's library, notifications and private playlists must not show, even briefly.
    queryClient.removeQueries({ queryKey: keyRoots.me });
    queryClient.removeQueries({ queryKey: keyRoots.playlists });
    void queryClient.invalidateQueries();
  }, [accountId, queryClient]);
}

export function App() {
  useRefetchOnAccountChange();
  useUpdatePrompt();
  return (
    <BrowserRouter>
      <PlayerHostProvider>
        <Routes>
          <Route path="/signin" element={<SignInPage />} />
          <Route path="/register" element={<RegisterPage />} />
          <Route path="/signin/callback" element={<ExternalSignInPage />} />
          <Route path="/forgot-password" element={<ForgotPasswordPage />} />
          <Route path="/reset-password" element={<ResetPasswordPage />} />
          <Route path="/verify-email" element={<VerifyEmailPage />} />
          <Route
            path="/embed/:id"
            element={
              <Suspense fallback={null}>
                <EmbedPage />
              </Suspense>
            }
          />
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
                      path="/studio/analytics/channel/:handle"
                      element={
                        <RequireAuth>
                          <ChannelAnalyticsPage />
                        </RequireAuth>
                      }
                    />
                    <Route
                      path="/studio/analytics/:id"
                      element={
                        <RequireAuth>
                          <VideoAnalyticsPage />
                        </RequireAuth>
                      }
                    />
                    <Route
                      path="/settings"
                      element={
                        <RequireAuth>
                          <AccountSettingsPage />
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
      </PlayerHostProvider>
    </BrowserRouter>
  );
}
