import { describe, expect, it } from "vitest";
import { commands, findCommands } from "./commands.svelte";
import type { Command } from "./commands.svelte";

const ran: string[] = [];
const cmd = (id: string, title: string, extra: Partial<Command> = {}): Command => ({
  id,
  title,
  group: "Go to",
  run: () => ran.push(id),
  ...extra,
});
const press = (key: string, ctrlKey = false) => ({
  key,
  ctrlKey,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  target: null,
});

describe("commands", () => {
  it("a page's commands come and go with it, and its shortcut runs", () => {
    const stop = commands.provide(() => [cmd("next", "Next request", { keys: "J" })]);
    expect(commands.all.map((c) => c.id)).toContain("next");
    expect(commands.handle(press("j"))).toBe(true);
    expect(ran).toEqual(["next"]);
    stop();
    expect(commands.all.map((c) => c.id)).not.toContain("next");
    expect(commands.handle(press("j"))).toBe(false);
  });

  it("a disabled command does not run", () => {
    const stop = commands.provide(() => [cmd("lock", "Lock", { keys: "Mod+L", disabled: true })]);
    expect(commands.handle(press("l", true))).toBe(false);
    stop();
  });

  it("the page's command replaces the window's of the same id", () => {
    const a = commands.provide(() => [cmd("back", "Back to the queue")]);
    const b = commands.provide(() => [cmd("back", "Back to the request")]);
    expect(commands.all.filter((c) => c.id === "back").map((c) => c.title)).toEqual(["Back to the request"]);
    b();
    a();
  });

  it("the palette finds by the start of any word, title, group or extra words", () => {
    const all = [
      cmd("status", "Change status…", { group: "This request", words: "withdraw close refuse" }),
      cmd("settings", "Settings"),
      cmd("off", "Hidden", { disabled: true }),
    ];
    expect(findCommands(all, "").map((c) => c.id)).toEqual(["status", "settings"]);
    expect(findCommands(all, "stat").map((c) => c.id)).toEqual(["status"]);
    expect(findCommands(all, "this refu").map((c) => c.id)).toEqual(["status"]);
    expect(findCommands(all, "go sett").map((c) => c.id)).toEqual(["settings"]);
    expect(findCommands(all, "hidden")).toEqual([]);
  });
});
