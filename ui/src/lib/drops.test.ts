import { describe, expect, it, vi } from "vitest";

vi.mock("./api", () => ({ listenForDrops: vi.fn(), message: String }));

import { drops } from "./drops.svelte";
import type { DroppedFiles } from "./api";

const drop = (names: string[], refused: string[] = []): DroppedFiles => ({
  files: names.map((name, i) => ({ token: `t${i}`, name, size: 1 })),
  refused,
  x: 10,
  y: 10,
});

describe("drops", () => {
  it("asks the newest handler first, and the one before when it leaves the drop", () => {
    const taken: string[] = [];
    const outer = drops.take((d) => void taken.push(`attach ${d.files[0]?.name}`));
    const inner = drops.take((d) => {
      if (!d.files[0]?.name.endsWith(".eml")) return false;
      taken.push(`email ${d.files[0].name}`);
      return true;
    });
    drops.deliver(drop(["a.eml"]));
    drops.deliver(drop(["scan.pdf"], ["/tmp/folder is a folder"]));
    expect(taken).toEqual(["email a.eml", "attach scan.pdf"]);
    expect(drops.notice).toContain("folder");
    inner();
    outer();
  });

  it("asks a handler of its own element before a newer general one", () => {
    const taken: string[] = [];
    const card = drops.take(() => void taken.push("evidence"), true);
    const page = drops.take(() => void taken.push("attachment"));
    drops.deliver(drop(["id.png"]));
    expect(taken).toEqual(["evidence"]);
    card();
    page();
  });

  it("says where files can go when no page takes them, and when nothing could be taken", () => {
    drops.deliver(drop(["x.txt"]));
    expect(drops.notice).toContain("on a request's page");
    drops.deliver(drop([], ["/dev/zero is not a regular file"]));
    expect(drops.notice).toContain("Nothing dropped could be taken");
  });
});
