import { describe, expect, it } from "vitest";
import { assignable, ownerFilterOf, ownerValue, people, personName } from "./people.svelte";
import type { Account } from "./api";

function account(login: string, patch: Partial<Account> = {}): Account {
  return {
    login,
    name: login.toUpperCase(),
    email: null,
    role: "officer",
    disabled: false,
    created_at: "2026-11-01T09:00:00Z",
    updated_at: "2026-11-01T09:00:00Z",
    ...patch,
  };
}

describe("the queue's owner filter as a select's value", () => {
  it("goes both ways for everyone, mine, nobody and a person", () => {
    for (const filter of [null, "mine", "nobody", { login: "ada.l@example" }] as const) {
      expect(ownerFilterOf(ownerValue(filter))).toEqual(filter);
    }
    expect(ownerValue(null)).toBe("");
    expect(ownerValue({ login: "ada" })).toBe("login:ada");
  });

  it("reads anything else as everyone", () => {
    expect(ownerFilterOf("")).toBeNull();
    expect(ownerFilterOf("login:")).toBeNull();
    expect(ownerFilterOf("someone")).toBeNull();
  });
});

describe("people", () => {
  const team = [
    account("zed", { name: "Zoë Dupont" }),
    account("aud", { role: "auditor", name: "Aude" }),
    account("gone", { disabled: true, name: "Gone" }),
    account("ada", { role: "contributor", name: "Ada Lovelace" }),
    account("boss", { role: "admin", name: "Bea Admin" }),
  ];

  it("names a login by the person's name, else the login", () => {
    expect(personName(team, "ada")).toBe("Ada Lovelace");
    expect(personName(team, "stranger")).toBe("stranger");
  });

  it("offers work only to enabled accounts that are not auditors, by name", () => {
    expect(assignable(team).map((a) => a.login)).toEqual(["ada", "boss", "zed"]);
  });

  it("does not reorder the team it was given", () => {
    assignable(team);
    expect(team[0]?.login).toBe("zed");
  });
});

describe("what the window says of the connected account", () => {
  it("names the roles that limit it, and only on a team register", () => {
    const me = (role: Account["role"] | null, team = true) => {
      people.me = { login: "x", team, account: role ? account("x", { role }) : null };
      return people.limitedRole;
    };
    expect(me("auditor")).toBe("auditor");
    expect(me("contributor")).toBe("contributor");
    expect(me("officer")).toBeNull();
    expect(me("admin")).toBeNull();
    expect(me(null)).toBeNull();
    expect(me(null, false)).toBeNull();
    people.me = null;
  });
});
