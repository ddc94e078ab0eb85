/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Django (runserver / daphne) in development.
const BACKEND = process.env.MODULEBENCH_BACKEND ?? 'http://127.0.0.1:8000';

export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // Later screens pull in big libraries (echarts, xyflow, codemirror); they get their own chunks.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    // Keep the browser's Host header (changeOrigin: false) so Django's CSRF Origin check
    // compares like with like in development.
    proxy: {
      '/api': { target: BACKEND, changeOrigin: false },
      '/ws': { target: BACKEND, changeOrigin: false, ws: true },
      '/admin': { target: BACKEND, changeOrigin: false },
      // Django admin's own CSS/JS.
      '/static': { target: BACKEND, changeOrigin: false },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
  },
});
