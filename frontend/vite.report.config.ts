// The HTML report's script and styles: one file each, which the Python side inlines into a
// single self-contained report next to the run's data.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  build: {
    outDir: fileURLToPath(new URL("../src/horde/web/static/report", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    cssCodeSplit: false,
    rollupOptions: {
      input: fileURLToPath(new URL("src/report.ts", import.meta.url)),
      output: {
        format: "iife",
        inlineDynamicImports: true,
        entryFileNames: "report.js",
        assetFileNames: "report[extname]",
      },
    },
  },
});
