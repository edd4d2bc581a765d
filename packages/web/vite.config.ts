import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The app (index.html → /assets/*); the widget has its own build (vite.widget.config.ts). */
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: {
    // `npm run dev -w @switchboard/web` beside a server on :8000.
    proxy: { '/v1': { target: 'http://127.0.0.1:8000', ws: true } },
  },
});
