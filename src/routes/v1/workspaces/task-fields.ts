import { z } from "@hono/zod-openapi";
import { TASK_PRIORITIES, TASK_STATUSES } from "../../../db/schema";

// The fields of a task as requests send them, validated and normalised once for every route.

export const MAX_LABELS = 20;
export const MAX_LABEL_LENGTH = 50;

/** A label as stored: NFKC, trimmed, lower case, inner runs of whitespace as one space. */
export function normaliseLabel(label: string): string {
  return label.normalize("NFKC").trim().toLowerCase().replace(/\s+/g, " ");
}

const label = z
  .string()
  .max(200)
  .transform(normaliseLabel)
  .pipe(
    z
      .string()
      .min(1)
      .max(MAX_LABEL_LENGTH)
      // No control characters: labels are shown as they are.
      .regex(/^[^\p{Cc}]+$/u, "must not hold control characters"),
  );

export const taskFields = {
  title: z.string().trim().min(1).max(200).openapi({ example: "Ship the pricing page" }),
  description: z.string().trim().max(20_000).nullable(),
  status: z.enum(TASK_STATUSES),
  priority: z.enum(TASK_PRIORITIES),
  assigneeId: z.string().max(64).nullable().openapi({ description: "A member of the workspace; `null` for nobody." }),
  labels: z
    .array(label)
    .max(MAX_LABELS)
    .transform((labels) => [...new Set(labels)])
    .openapi({ description: `At most ${MAX_LABELS}, each at most ${MAX_LABEL_LENGTH} characters; stored trimmed, in lower case, without repeats.` }),
  dueDate: z.iso.date().nullable().openapi({ example: "2026-12-24" }),
  position: z.number().min(-1e15).max(1e15).openapi({ description: "Order on the project's board, ascending; to move a task between two others, send the midpoint of theirs." }),
};

/** A label in a query: the same normalisation, so `?label=Front%20End` finds `front end`. */
export const labelQuery = label;
