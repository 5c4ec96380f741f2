import { mount } from "svelte";
import App from "./App.svelte";
import { i18n } from "./lib/i18n.svelte";
import "./app.css";
import { theme } from "./lib/theme.svelte";
import { trackOrigin } from "./lib/origin";

// Before the first paint, so a dark-mode officer never sees a white flash.
theme.start();
trackOrigin();

// The window opens in its language: that language's messages are loaded first.
await i18n.ready();

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");
export default mount(App, { target });
