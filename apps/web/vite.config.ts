import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { compression } from 'vite-plugin-compression2';

/**
 * Requests the service worker must leave to the network: the API (tus uploads included), media
 * segments and well-known documents, and the embed page and oEmbed (their headers, such as the embed
 * page's frame policy, come from the server). Navigations to them must not get the app shell either.
 */
const NETWORK_ONLY_PATHS = [/^\/api(\/|$)/, /^\/media(\/|$)/, /^\/\.well-known(\/|$)/, /^\/(healthz|readyz|metrics)$/, /^\/embed\//, /^\/oembed(\/|$)/];

export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['favicon.svg', 'icons/apple-touch-icon.png'],
      manifest: {
        id: '/',
        name: 'Tube',
        short_name: 'Tube',
        description: 'Watch and share videos on your own Tube server.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        background_color: '#0f0f0f',
        theme_color: '#0f0f0f',
        categories: ['entertainment', 'video'],
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
        shortcuts: [
          { name: 'Upload a video', short_name: 'Upload', url: '/upload' },
          { name: 'Tube Studio', short_name: 'Studio', url: '/studio' },
        ],
      },
      workbox: {
        // Only the app shell is precached; there are no runtime routes, so everything else
        // (API calls, tus PATCHes, HLS segments) goes straight to the network.
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: 'index.html',
        navigateFallbackDenylist: NETWORK_ONLY_PATHS,
        cleanupOutdatedCaches: true,
        runtimeCaching: [],
      },
    }),
    // Brotli and gzip copies of every text asset, made once at build; the server picks one by Accept-Encoding.
    compression({ algorithms: ['brotliCompress', 'gzip'], include: /\.(js|mjs|css|html|svg|json|webmanifest)$/, threshold: 1024 }),
  ],
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/media': 'http://localhost:3000',
      '/.well-known': 'http://localhost:3000',
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // hls.js is about 580 kB minified; it is its own lazily loaded chunk.
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      output: {
        // The framework changes less often than the app: a separate chunk stays cached across releases.
        advancedChunks: { groups: [{ name: 'framework', test: /node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom|@tanstack)[\\/]/ }] },
      },
    },
  },
});
