// Keyboard shortcuts, written once as "Mod+K", "Shift+?", "J", "Escape": Mod is ⌘ on macOS and Ctrl elsewhere, as
// each OS's own applications do. A shortcut without a modifier never fires while the officer is typing in a field.

export type KeyLike = Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">;

/** Whether the window runs on macOS (⌘ instead of Ctrl). */
export function onMac(platform: string = globalThis.navigator?.platform ?? ""): boolean {
  return /mac|iphone|ipad/i.test(platform);
}

type Parsed = { mod: boolean; alt: boolean; shift: boolean; key: string };

function parse(combo: string): Parsed {
  const parts = combo.split("+");
  // "Mod++" would be the plus key; none is used, so a trailing empty part is not expected.
  const key = parts.pop() ?? "";
  return {
    mod: parts.includes("Mod"),
    alt: parts.includes("Alt"),
    shift: parts.includes("Shift"),
    key,
  };
}

/** Whether `e` is the shortcut `combo`. Printable keys compare case-insensitively ("J" is j or J). */
export function matches(combo: string, e: KeyLike, mac: boolean = onMac()): boolean {
  const c = parse(combo);
  const mod = mac ? e.metaKey : e.ctrlKey;
  const otherMod = mac ? e.ctrlKey : e.metaKey;
  if (c.mod !== mod || otherMod || c.alt !== e.altKey) return false;
  // "?" is Shift+/ on most layouts: a printable symbol carries its own shift, so only letters and named keys check it.
  const printable = c.key.length === 1;
  const letter = /^[a-z]$/i.test(c.key);
  if ((!printable || letter) && c.shift !== e.shiftKey) return false;
  return printable ? e.key.toLowerCase() === c.key.toLowerCase() : e.key === c.key;
}

/** Whether the shortcut has a modifier (and so may fire while typing in a field). */
export function hasModifier(combo: string): boolean {
  const c = parse(combo);
  return c.mod || c.alt;
}

const NAMES: Record<string, string> = {
  Escape: "Esc",
  Enter: "Enter",
  ArrowDown: "↓",
  ArrowUp: "↑",
  Home: "Home",
  End: "End",
};

/** How the shortcut is written for this OS: "⌘K" on macOS, "Ctrl+K" elsewhere. */
export function keyLabel(combo: string, mac: boolean = onMac()): string {
  const c = parse(combo);
  const key = NAMES[c.key] ?? c.key.toUpperCase();
  if (mac) return `${c.mod ? "⌘" : ""}${c.alt ? "⌥" : ""}${c.shift ? "⇧" : ""}${key}`;
  return [c.mod ? "Ctrl" : "", c.alt ? "Alt" : "", c.shift ? "Shift" : "", key].filter(Boolean).join("+");
}

/** Whether the focus is where keys are text: a field, a list to choose from, an editable area. */
export function typingIn(target: EventTarget | null): boolean {
  if (typeof HTMLElement === "undefined" || !(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  const type = (target as HTMLInputElement).type;
  return !["button", "checkbox", "radio", "submit", "reset", "file", "range", "color"].includes(type);
}
