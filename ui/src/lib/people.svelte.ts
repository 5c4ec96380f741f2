// The people of a team register (issue 18): who is using the window (`me`, read once with the app's info) and the
// team's accounts, so that every page can name a request's owner and offer whom to give it to. On a desk (a SQLite
// file) `me.team` is false and nothing of this shows.
import { call } from "./api";
import type { Account, Me, OwnerFilter, Team } from "./api";

/** The queue's owner filter as a <select> value: "" everyone, "mine", "nobody", "login:<login>". */
export function ownerValue(filter: OwnerFilter | null): string {
  if (filter === null) return "";
  if (typeof filter === "string") return filter;
  return `login:${filter.login}`;
}

/** The queue's owner filter a <select> value stands for (`ownerValue` the other way). */
export function ownerFilterOf(value: string): OwnerFilter | null {
  if (value === "mine" || value === "nobody") return value;
  if (value.startsWith("login:") && value.length > "login:".length)
    return { login: value.slice("login:".length) };
  return null;
}

/** A login as the window shows it: the person's name when the team knows them, else the login itself. */
export function personName(accounts: Account[], login: string): string {
  return accounts.find((a) => a.login === login)?.name ?? login;
}

/** Whom a request or a checklist line can be given to: people who may connect and may change things. */
export function assignable(accounts: Account[]): Account[] {
  return accounts
    .filter((a) => !a.disabled && a.role !== "auditor")
    .sort((a, b) => a.name.localeCompare(b.name));
}

class People {
  me = $state<Me | null>(null);
  team = $state<Team | null>(null);

  /** A team register (on a server, with people and roles). */
  get isTeam(): boolean {
    return this.me?.team ?? false;
  }

  /** The officer's login: every change is recorded under it. */
  get login(): string | null {
    return this.me?.login ?? null;
  }

  /**
   * May manage the team's accounts: an admin, or the register's owner (the login that made it has no account of its
   * own). Only what the window offers: the server refuses what the role forbids.
   */
  get mayAdminister(): boolean {
    if (!this.me?.team) return false;
    return this.me.account === null || this.me.account.role === "admin";
  }

  /** The connected account's role when it limits what the window can do (an auditor reads, a contributor ticks
   * their lines): said at the top of every page. */
  get limitedRole(): "auditor" | "contributor" | null {
    const role = this.me?.account?.role;
    return role === "auditor" || role === "contributor" ? role : null;
  }

  /** May take a request for themselves: an enabled account that is given work (not an auditor's). */
  get mayTake(): boolean {
    const a = this.me?.account;
    return !!a && !a.disabled && a.role !== "auditor";
  }

  get accounts(): Account[] {
    return this.team?.accounts ?? [];
  }

  /** The name of `login` as the team knows it. */
  name(login: string): string {
    return personName(this.accounts, login);
  }

  /** Who is using the register, and on a team register its people. */
  async load() {
    this.me = await call("me");
    // Without the team's list the window still works (logins instead of names); Settings → Team reads it again
    // and says why it could not.
    this.team = this.me.team ? await call("team").catch(() => null) : null;
  }

  /** The team as it now stands (an account added, a request assigned elsewhere). */
  async reloadTeam() {
    if (this.isTeam) this.team = await call("team");
  }

  /** The register closed (locked): nothing of its people stays in the window. */
  clear() {
    this.me = null;
    this.team = null;
  }
}

export const people = new People();
