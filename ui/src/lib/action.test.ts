import { describe, expect, it } from "vitest";
import { Action } from "./action.svelte";
import { ApiError } from "./api";

const invalid = (field: string | null, text: string) =>
  new ApiError({ code: "invalid", message: text, field, key: null, params: {} });

describe("Action", () => {
  it("is busy while the call runs and returns its result", async () => {
    const a = new Action();
    let release: (v: number) => void = () => {};
    const running = a.run(() => new Promise<number>((r) => (release = r)));
    expect(a.busy).toBe(true);
    release(7);
    expect(await running).toBe(7);
    expect(a.busy).toBe(false);
    expect(a.error).toBeNull();
    expect(a.fieldErrors).toEqual({});
  });

  it("puts a failure under the field the core named, else under general", async () => {
    const a = new Action();
    expect(await a.run(() => Promise.reject(invalid("email", "not an email address")))).toBeUndefined();
    expect(a.busy).toBe(false);
    // Beside its field the reason alone; on the card's one error line, the field named in the window's language.
    expect(a.error).toBe("Email: not an email address");
    expect(a.fieldErrors).toEqual({ email: "not an email address" });
    await a.run(() => Promise.reject(new Error("disk full")));
    expect(a.fieldErrors).toEqual({ general: "disk full" });
    await a.run(() => Promise.reject(invalid(null, "refused")));
    expect(a.fieldErrors).toEqual({ general: "refused" });
  });

  it("clears the last failure when a call starts", async () => {
    const a = new Action();
    await a.run(() => Promise.reject(invalid("name", "required")));
    const running = a.run(() => Promise.resolve(1));
    expect(a.error).toBeNull();
    expect(a.fieldErrors).toEqual({});
    await running;
  });

  it("maps the field with errorKey", async () => {
    const a = new Action();
    await a.run(
      () => Promise.reject(invalid("name", "required")),
      (f) => (f ? `auth-${f}` : "auth-general"),
    );
    expect(a.fieldErrors).toEqual({ "auth-name": "required" });
    await a.run(
      () => Promise.reject(new Error("offline")),
      (f) => (f ? `auth-${f}` : "auth-general"),
    );
    expect(a.fieldErrors).toEqual({ "auth-general": "offline" });
  });

  it("says what a call did, and nothing when it failed", async () => {
    const a = new Action();
    expect(await a.say(() => Promise.resolve("saved"))).toBe(true);
    expect(a.notice).toBe("saved");
    expect(await a.say(() => Promise.reject(invalid("port", "not a port")))).toBe(false);
    expect(a.notice).toBeNull();
    expect(a.fieldErrors).toEqual({ port: "not a port" });
    expect(await a.say(() => Promise.resolve(null))).toBe(true);
    expect(a.notice).toBeNull();
  });

  it("tells `after` of each call that succeeded, and only those", async () => {
    let told = 0;
    const a = new Action({ after: () => told++ });
    await a.run(() => Promise.resolve());
    await a.run(() => Promise.reject(new Error("no")));
    await a.say(() => Promise.resolve("done"));
    expect(told).toBe(2);
  });

  it("reads without being busy, a failure under general", async () => {
    const a = new Action();
    a.notice = "kept";
    let busy = true;
    await a.read(async () => {
      busy = a.busy;
    });
    expect(busy).toBe(false);
    await a.read(() => Promise.reject(invalid("email", "unreadable")));
    expect(a.fieldErrors).toEqual({ general: "unreadable" });
    expect(a.notice).toBe("kept");
  });

  it("records a check the window made itself", () => {
    const a = new Action();
    a.reject("passphrase", "the two passphrases differ");
    expect(a.fieldErrors).toEqual({ passphrase: "the two passphrases differ" });
    expect(a.error).toBe("the two passphrases differ");
    expect(a.checked({ name: "required", email: "not an address" })).toBe(false);
    expect(a.fieldErrors).toEqual({ name: "required", email: "not an address" });
    expect(a.checked({})).toBe(true);
    expect(a.error).toBeNull();
    a.reject("name", "required");
    a.clear();
    expect(a.error).toBeNull();
    expect(a.fieldErrors).toEqual({});
  });
});
