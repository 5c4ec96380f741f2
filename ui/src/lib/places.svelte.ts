// Where a message may send the officer. The core and the window write a place as its menu and card ("Letters… →
// Email server"); the window turns each such pointer into a link that opens that page at that card, so no message
// names a screen that does not exist (a test checks every pointer in the core's and the window's sources).

/** Each place a message may name: the page it is on and the card (its `data-testid`). */
export const PLACES = {
  "Letters… → Organisation": { page: "correspondence", card: "organisation" },
  "Letters… → Supervisory authority": { page: "correspondence", card: "authority" },
  "Letters… → Email server": { page: "correspondence", card: "smtp" },
  "Letters… → Privacy mailbox": { page: "correspondence", card: "mailbox-settings" },
  "Letters… → Templates": { page: "correspondence", card: "templates" },
  "Settings → Appearance": { page: "settings", card: "appearance" },
  "Settings → Encryption": { page: "settings", card: "vault-settings" },
  "Settings → Backup": { page: "settings", card: "backup-settings" },
  "Settings → Restore from a backup": { page: "settings", card: "restore" },
  "Settings → Retention": { page: "settings", card: "retention-settings" },
  "Settings → Audit trail": { page: "settings", card: "audit-card" },
  "Settings → Data map": { page: "settings", card: "data-map" },
} as const;

export type PlaceName = keyof typeof PLACES;
export type Page = (typeof PLACES)[PlaceName]["page"];

/** A piece of a message: plain words, or a place to link. */
export type Piece = { text: string; place?: PlaceName };

const NAMES = (Object.keys(PLACES) as PlaceName[]).sort((a, b) => b.length - a.length);

/** `text` cut into words and the places it names (longest name first: "Settings → Restore from a backup"). */
export function pieces(text: string): Piece[] {
  const out: Piece[] = [];
  let rest = text;
  while (rest) {
    let at = -1;
    let found: PlaceName | undefined;
    for (const name of NAMES) {
      const i = rest.indexOf(name);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
        found = name;
      }
    }
    if (!found) {
      out.push({ text: rest });
      break;
    }
    if (at > 0) out.push({ text: rest.slice(0, at) });
    out.push({ text: found, place: found });
    rest = rest.slice(at + found.length);
  }
  return out;
}

/** The place the window is asked to show (`n` tells a second visit of the same place from the first). */
class Navigator {
  target = $state<{ page: Page; card: string; n: number } | null>(null);

  go(name: PlaceName) {
    const p = PLACES[name];
    this.target = { page: p.page, card: p.card, n: (this.target?.n ?? 0) + 1 };
  }
}

export const navigator = new Navigator();
