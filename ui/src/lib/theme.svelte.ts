// Light or dark: the OS's choice (`prefers-color-scheme`) unless the officer chose one in Settings → Appearance.
// The choice belongs to this computer's window, not to the register, so it is kept in the webview's storage.

export type ThemeChoice = "system" | "light" | "dark";

const KEY = "rightsdesk.theme";

function stored(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === "light" || v === "dark" ? v : "system";
  } catch {
    return "system";
  }
}

class Theme {
  choice = $state<ThemeChoice>("system");
  /** What the window shows now. */
  shown = $state<"light" | "dark">("light");
  #media: MediaQueryList | null = null;

  /** Applies the stored choice and follows the OS while the choice is "system". */
  start() {
    this.choice = stored();
    this.#media = typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : null;
    this.#media?.addEventListener("change", () => this.#apply());
    this.#apply();
  }

  set(choice: ThemeChoice) {
    this.choice = choice;
    try {
      if (choice === "system") localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, choice);
    } catch {
      // A webview without storage still switches for this session.
    }
    this.#apply();
  }

  /** Light ↔ dark (the palette's and the shortcut's toggle): a manual choice from then on. */
  toggle() {
    this.set(this.shown === "dark" ? "light" : "dark");
  }

  #apply() {
    const dark = this.choice === "dark" || (this.choice === "system" && (this.#media?.matches ?? false));
    this.shown = dark ? "dark" : "light";
    document.documentElement.dataset.theme = this.shown;
  }
}

export const theme = new Theme();
