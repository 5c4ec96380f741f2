// The window's language: English, French, Dutch or German, following the system's (the web view's
// `navigator.languages`) unless the officer chose one in Settings → Language. Every text is a message in
// `src/messages/<locale>.json` (ICU MessageFormat, read by @formatjs/intl): `t("queue.title")`,
// `t("queue.count", { count })`. A key missing in any language, unused, or with other placeholders fails a test
// (i18n.test.ts).
import { createIntl, createIntlCache, type IntlShape } from "@formatjs/intl";
import en from "../messages/en.json";

export const LOCALES = ["en", "fr", "nl", "de"] as const;
export type Locale = (typeof LOCALES)[number];
/** Every message's key: a typo in `t("…")` fails `npm run check`. */
export type MessageKey = keyof typeof en;
/** What a message's placeholders take. */
export type Values = Record<string, string | number | Date | null | undefined>;

export type Catalogue = Record<MessageKey, string>;

// English is in the main bundle (the fallback, and the window's language under a C/English system); the others
// are each a chunk of their own, loaded when chosen (main.ts waits for the one the window opens in).
const LOADERS: Record<Exclude<Locale, "en">, () => Promise<{ default: Catalogue }>> = {
  fr: () => import("../messages/fr.json"),
  nl: () => import("../messages/nl.json"),
  de: () => import("../messages/de.json"),
};

/**
 * The locale Intl formats with: English is written the European way (21 Dec 2026, 21/12/2026), as the privacy
 * offices this serves read it; the others as in their main country.
 */
export const FORMAT_LOCALE: Record<Locale, string> = { en: "en-GB", fr: "fr-FR", nl: "nl-NL", de: "de-DE" };

// A per-machine choice, not the register's: the window is in the officer's language before any register is open
// (the unlock screen), and two officers sharing a register may read different languages.
const STORAGE_KEY = "rightsdesk.locale";

/** The first of the system's languages the window speaks, else English. */
export function systemLocale(languages: readonly string[] | undefined): Locale {
  for (const tag of languages ?? []) {
    const base = tag.toLowerCase().split(/[-_]/)[0];
    const found = LOCALES.find((l) => l === base);
    if (found) return found;
  }
  return "en";
}

function storedChoice(): Locale | "system" {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return LOCALES.find((l) => l === v) ?? "system";
  } catch {
    return "system";
  }
}

const cache = createIntlCache();

function makeIntl(locale: Locale, messages: Catalogue): IntlShape<string> {
  return createIntl(
    {
      locale: FORMAT_LOCALE[locale],
      messages,
      defaultLocale: "en-GB",
      // A message that cannot be formatted shows its key (the test keeps that from shipping), never throws.
      onError: (e) => console.warn(e.message),
    },
    cache,
  );
}

class I18n {
  /** What the officer chose: a language, or the system's. */
  choice = $state<Locale | "system">(storedChoice());
  readonly system: Locale = systemLocale(globalThis.navigator?.languages);
  /** The catalogues loaded so far. */
  loaded = $state<Partial<Record<Locale, Catalogue>>>({ en });
  /** The language shown: the one wanted once its catalogue is here (English until then). */
  locale = $derived.by<Locale>(() => {
    const wanted = this.choice === "system" ? this.system : this.choice;
    return this.loaded[wanted] ? wanted : "en";
  });
  intl = $derived(makeIntl(this.locale, this.words(this.locale)));

  /** `locale`'s messages (English while they are not loaded). */
  words(locale: Locale): Catalogue {
    return this.loaded[locale] ?? en;
  }

  /** Load `locale`'s messages (once). */
  async load(locale: Locale): Promise<Catalogue> {
    const have = this.loaded[locale];
    if (have) return have;
    const words = (await LOADERS[locale as Exclude<Locale, "en">]()).default;
    this.loaded = { ...this.loaded, [locale]: words };
    return words;
  }

  /** The language the window opens in, loaded (main.ts waits for it before the first paint). */
  ready(): Promise<unknown> {
    return this.load(this.choice === "system" ? this.system : this.choice).catch((e) => console.warn(e));
  }

  async choose(choice: Locale | "system") {
    await this.load(choice === "system" ? this.system : choice);
    this.choice = choice;
    try {
      if (choice === "system") localStorage.removeItem(STORAGE_KEY);
      else localStorage.setItem(STORAGE_KEY, choice);
    } catch {
      // No storage (private mode): the choice holds until the window closes.
    }
  }
}

export const i18n = new I18n();

$effect.root(() => {
  $effect(() => {
    if (typeof document !== "undefined") document.documentElement.lang = i18n.locale;
  });
});

/** The message `key` in the window's language, its placeholders filled from `values`. */
export function t(key: MessageKey, values?: Values): string {
  return i18n.intl.formatMessage({ id: key }, values as Record<string, string | number | Date>) as string;
}

/** Whether `key` is a message (for keys made from the core's ids: `choice.${id}`). */
export function has(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}
