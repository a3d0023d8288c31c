import type { DetailParams } from "../errors";
import { de } from "./de";
import { en, type Messages } from "./en";
import { es } from "./es";

export type { DetailKey, Messages } from "./en";

const catalogs = { en, de, es } satisfies Record<string, Messages>;

export type Language = keyof typeof catalogs;

export const DEFAULT_LANGUAGE: Language = "en";

function isLanguage(tag: string): tag is Language {
  return Object.hasOwn(catalogs, tag);
}

/**
 * Picks the best supported language for an `Accept-Language` header (RFC 9110 §12.5.4): ranges are
 * tried by descending q-value, then in the order given; `de-DE` matches `de`; q=0 excludes.
 * @example negotiateLanguage("fr;q=1, es;q=0.8, de;q=0.5") // "es"
 */
export function negotiateLanguage(header: string | undefined | null): Language {
  if (!header) return DEFAULT_LANGUAGE;
  const ranges = header
    .split(",")
    .map((part, index) => {
      const [range = "", ...params] = part.trim().split(";");
      const q = params.map((param) => param.trim()).find((param) => /^q=/i.test(param));
      const weight = q === undefined ? 1 : Number(q.slice(2));
      return { tag: range.trim().toLowerCase(), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((range) => range.tag && range.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);

  for (const { tag } of ranges) {
    if (tag === "*") return DEFAULT_LANGUAGE;
    const primary = tag.split("-")[0] ?? "";
    if (isLanguage(primary)) return primary;
  }
  return DEFAULT_LANGUAGE;
}

export function messagesFor(language: Language): Messages {
  return catalogs[language];
}

/** Fills `{name}` placeholders; lists are joined with commas, unknown placeholders stay visible. */
export function formatMessage(template: string, params: DetailParams = {}): string {
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = params[name];
    if (value === undefined) return placeholder;
    return typeof value === "object" ? value.join(", ") : String(value);
  });
}
