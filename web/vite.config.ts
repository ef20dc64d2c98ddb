/**
 * The admin console's build: `npm run build:web` writes web/dist, which the gateway serves at /admin
 * (server/rest/console.ts). `npx vite --config web/vite.config.ts` runs a dev server that proxies the
 * API to a gateway on GATEWAY_URL (default http://127.0.0.1:8080).
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Report sizes without the gzip pass's cost being a surprise: the report shows gzip anyway.
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      '/graphql': { target: gateway, ws: true },
      '/api': { target: gateway },
    },
  },
});
