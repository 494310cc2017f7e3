/// <reference types="vitest/config" />
import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import AutoImport from 'unplugin-auto-import/vite'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { VitePWA } from 'vite-plugin-pwa'
import { mobileShellOnly } from './scripts/mobile-shell.mjs'

// The Go binary serves dist/ (see embed.go); `npm run dev` proxies the API
// (HTTP and the /api/v1/ws WebSocket) to a locally running backend.
const backend = process.env.AFTERSALES_DEV_BACKEND ?? 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [
    vue(),
    // Element Plus is imported on demand (components and their CSS) so the
    // login page does not pay for the whole library.
    AutoImport({
      resolvers: [ElementPlusResolver()],
      dts: 'auto-imports.d.ts',
    }),
    Components({
      resolvers: [ElementPlusResolver()],
      dts: 'components.d.ts',
      dirs: [],
    }),
    // The technician's phone app (/m, its own entry m/index.html) is a PWA:
    // a generated service worker precaches the /m shell only (its entry and
    // the chunks it can load, not the desktop console), scope /m/. The web
    // manifest is a static file (public/m/manifest.webmanifest) so the
    // desktop page gets no manifest link.
    VitePWA({
      injectRegister: false,
      manifest: false,
      filename: 'm-sw.js',
      scope: '/m/',
      workbox: {
        globPatterns: ['**/*.{js,css,html,webmanifest,png,svg}'],
        manifestTransforms: [mobileShellOnly],
        navigateFallback: '/m/index.html',
        navigateFallbackAllowlist: [/^\/m(\/|$)/],
        cleanupOutdatedCaches: true,
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        // Web Push: the push and notificationclick handlers (public/m-push-sw.js).
        importScripts: ['/m-push-sw.js'],
      },
    }),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  define: {
    __VUE_I18N_FULL_INSTALL__: false,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_DEVTOOLS__: false,
  },
  server: {
    proxy: {
      '/api': { target: backend, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      // Two pages: the console (index.html) and the phone app (m/index.html).
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        mobile: fileURLToPath(new URL('./m/index.html', import.meta.url)),
      },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['tests/unit/**/*.spec.ts'],
    // Element Plus ships ESM that imports its CSS; let Vite transform it.
    server: { deps: { inline: ['element-plus'] } },
  },
})
