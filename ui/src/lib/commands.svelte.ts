// Everything the officer can do from the keyboard: the window's own commands and those of the page on screen, in
// one list that the command palette (Ctrl/⌘+K), the shortcuts and the help sheet (?) all read. A page adds its
// commands while it is shown (`commands.provide` in an $effect) and they leave with it.
import { untrack } from "svelte";
import { hasModifier, matches, typingIn } from "./keys";
import type { KeyLike } from "./keys";

export type Command = {
  /** Stable id (the e2e test and the palette's option ids use it). */
  id: string;
  title: string;
  /** Heading in the palette and the help sheet. */
  group: string;
  /** The shortcut, as lib/keys.ts writes it ("Mod+K", "J"). */
  keys?: string;
  /** Words the palette also matches ("status" finds "Change status…"). */
  words?: string;
  /** Unavailable now (shown greyed in the help sheet, left out of the palette). */
  disabled?: boolean;
  run: () => void;
};

class Commands {
  #sets = $state<{ owner: number; list: () => Command[] }[]>([]);
  #next = 0;

  /** Adds `list` (read each time, so it follows the page's state) until the returned function is called. */
  provide(list: () => Command[]): () => void {
    const owner = ++this.#next;
    // Called from a page's $effect: the list is read here without the effect coming to depend on it.
    untrack(() => (this.#sets = [...this.#sets, { owner, list }]));
    return () => untrack(() => (this.#sets = this.#sets.filter((s) => s.owner !== owner)));
  }

  /** Every command now, the page's after the window's (a later provider wins a shared id). */
  get all(): Command[] {
    const byId: Record<string, Command> = {};
    for (const s of this.#sets) for (const c of s.list()) byId[c.id] = c;
    return Object.values(byId);
  }

  /** Runs the command whose shortcut `e` is, if any; true when one ran. */
  handle(e: KeyLike & { target: EventTarget | null }): boolean {
    const typing = typingIn(e.target);
    for (const c of this.all) {
      if (!c.keys || c.disabled) continue;
      if (typing && !hasModifier(c.keys)) continue;
      if (matches(c.keys, e)) {
        c.run();
        return true;
      }
    }
    return false;
  }
}

export const commands = new Commands();

/** The palette's search: every word of `text` must start a word of the title, group or extra words. */
export function findCommands(all: Command[], text: string): Command[] {
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const usable = all.filter((c) => !c.disabled);
  if (!words.length) return usable;
  return usable.filter((c) => {
    const hay = `${c.title} ${c.group} ${c.words ?? ""}`.toLowerCase().split(/[^\p{L}\p{N}]+/u);
    return words.every((w) => hay.some((h) => h.startsWith(w)));
  });
}
