import type { ZodError, z } from "zod";
import deLocale from "zod/v4/locales/de.js";
import enLocale from "zod/v4/locales/en.js";
import esLocale from "zod/v4/locales/es.js";
import type { FieldIssue } from "../errors";
import type { Language } from "./index";

type Issue = z.core.$ZodIssue;
type ErrorMap = z.core.$ZodErrorMap;

const errorMaps: Record<Language, ErrorMap> = {
  en: enLocale().localeError,
  de: deLocale().localeError,
  es: esLocale().localeError,
};

/**
 * Turns a zod error into the problem's `errors` list, with zod's default messages in `language`.
 * Messages a schema wrote itself (`.refine(..., { message })`) are kept as written.
 */
export function toFieldIssues(error: ZodError, input: unknown, language: Language): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: localize(issue, input, language),
    code: issue.code,
  }));
}

function localize(issue: Issue, input: unknown, language: Language): string {
  if (language === "en") return issue.message;
  // Finished issues no longer carry the offending value, which some messages name ("received number").
  const raw = { ...issue, input: valueAt(input, issue.path) } as Parameters<ErrorMap>[0];
  if (messageOf(errorMaps.en(raw)) !== issue.message) return issue.message;
  return messageOf(errorMaps[language](raw)) ?? issue.message;
}

function messageOf(result: ReturnType<ErrorMap>): string | undefined {
  return typeof result === "string" ? result : result?.message;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
