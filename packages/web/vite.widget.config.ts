import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * `/widget.js`: one classic script a host page includes from another origin. A classic script
 * (IIFE) loads cross-origin without CORS and needs no module loader on the host page.
 */
export default defineConfig({
  plugins: [react()],
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: false,
    lib: { entry: 'src/widget/widget-entry.tsx', name: 'SwitchboardWidget', formats: ['iife'], fileName: () => 'widget.js' },
  },
});
