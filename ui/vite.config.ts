import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The window loads the built files (tauri.conf.json frontendDist); no dev server is wired into the app config,
// so a plain `cargo build` of the shell always embeds the real UI.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, sourcemap: false },
  // app.css is read as text by lib/contrast.test.ts (vitest empties the CSS it does not include).
  test: { include: ["src/**/*.test.ts"], environment: "node", css: { include: [/app\.css/] } },
});
