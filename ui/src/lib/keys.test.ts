import { describe, expect, it } from "vitest";
import { hasModifier, keyLabel, matches, onMac } from "./keys";

const key = (
  k: string,
  mods: Partial<Record<"ctrlKey" | "metaKey" | "altKey" | "shiftKey", boolean>> = {},
) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...mods,
});

describe("shortcuts", () => {
  it("Mod is Ctrl elsewhere and ⌘ on macOS, and the other one does not count", () => {
    expect(matches("Mod+K", key("k", { ctrlKey: true }), false)).toBe(true);
    expect(matches("Mod+K", key("k", { metaKey: true }), false)).toBe(false);
    expect(matches("Mod+K", key("k", { metaKey: true }), true)).toBe(true);
    expect(matches("Mod+K", key("k", { ctrlKey: true }), true)).toBe(false);
    expect(matches("Mod+K", key("K", { ctrlKey: true, shiftKey: true }), false)).toBe(false);
  });

  it("a bare letter is that letter without modifiers, either case from Caps Lock", () => {
    expect(matches("J", key("j"))).toBe(true);
    expect(matches("J", key("J"))).toBe(true);
    expect(matches("J", key("J", { shiftKey: true }))).toBe(false);
    expect(matches("J", key("j", { ctrlKey: true }), false)).toBe(false);
  });

  it("a symbol typed with Shift is that symbol", () => {
    expect(matches("?", key("?", { shiftKey: true }))).toBe(true);
    expect(matches("/", key("/"))).toBe(true);
  });

  it("named keys", () => {
    expect(matches("Escape", key("Escape"))).toBe(true);
    expect(matches("Mod+Enter", key("Enter", { ctrlKey: true }), false)).toBe(true);
    expect(matches("Mod+Enter", key("Enter"), false)).toBe(false);
  });

  it("labels follow the OS", () => {
    expect(keyLabel("Mod+K", false)).toBe("Ctrl+K");
    expect(keyLabel("Mod+K", true)).toBe("⌘K");
    expect(keyLabel("Escape", false)).toBe("Esc");
    expect(keyLabel("?", false)).toBe("?");
    expect(keyLabel("Mod+Shift+L", false)).toBe("Ctrl+Shift+L");
  });

  it("knows which may fire in a field", () => {
    expect(hasModifier("Mod+K")).toBe(true);
    expect(hasModifier("J")).toBe(false);
  });

  it("tells macOS from the rest", () => {
    expect(onMac("MacIntel")).toBe(true);
    expect(onMac("Linux x86_64")).toBe(false);
    expect(onMac("Win32")).toBe(false);
  });
});
