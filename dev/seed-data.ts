// The made-up content `npm run db:seed` writes: a work tracker's projects, tasks and comments, the
// same for the same seed, so benchmarks over seeded data compare like with like.

/** mulberry32: a small, fast, seedable PRNG; good enough for fake data, never for secrets. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Random = () => number;

export function pick<T>(random: Random, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

/** Up to `max` distinct items of `list`. */
export function pickSome<T>(random: Random, list: readonly T[], max: number): T[] {
  const count = Math.floor(random() * (max + 1));
  const chosen = new Set<T>();
  while (chosen.size < count) chosen.add(pick(random, list));
  return [...chosen];
}

export const PROJECTS = [
  { key: "WEB", name: "Website", description: "The public website and its content pages." },
  { key: "APP", name: "Mobile app", description: "The iOS and Android apps." },
  { key: "API", name: "Public API", description: "The REST API our customers integrate with." },
  { key: "BILL", name: "Billing", description: "Plans, invoices, payment providers and dunning." },
  { key: "OPS", name: "Operations", description: "Deploys, monitoring, on-call and incident follow-ups." },
  { key: "DATA", name: "Data platform", description: "Pipelines, the warehouse and reporting." },
  { key: "SEC", name: "Security", description: "Audits, hardening and vulnerability reports." },
  { key: "DOCS", name: "Documentation", description: "Guides, reference and the changelog." },
  { key: "GROW", name: "Growth", description: "Onboarding, activation and lifecycle e-mails." },
  { key: "DSGN", name: "Design system", description: "Components, tokens and accessibility." },
] as const;

const VERBS = ["Fix", "Add", "Refactor", "Update", "Remove", "Investigate", "Document", "Migrate", "Optimize", "Design", "Review", "Test"];
const SUBJECTS = [
  "login page",
  "billing webhook",
  "search index",
  "onboarding e-mail",
  "API rate limits",
  "dark mode",
  "CSV export",
  "audit log",
  "mobile navigation",
  "password reset",
  "invoice PDF",
  "dashboard charts",
  "notification settings",
  "sign-in with Google",
  "image uploads",
  "team invitations",
  "session timeout",
  "release notes",
  "payment retries",
  "cache invalidation",
];
const QUALIFIERS = ["", "", "", " on Safari", " for admins", " in staging", " after the last deploy", " for large workspaces", " on slow networks", " in German"];
const DETAILS = [
  "Customers reported this twice this week.",
  "Steps to reproduce are in the support ticket.",
  "This blocks the next release.",
  "Only happens when the session has expired.",
  "Measure before and after; we need numbers.",
  "Keep the old behaviour behind a flag until the migration is done.",
  "The error rate doubled after Tuesday's deploy.",
  "Design signed off on the mockups.",
  "Needs a test that fails without the fix.",
  "Coordinate with the data team before changing the schema.",
];
const COMMENTS = [
  "I can reproduce this locally.",
  "Pushed a fix, please review.",
  "Is this still happening after the rollback?",
  "Added a test that covers the edge case.",
  "Looks good to me, merging.",
  "We should split this into two tasks.",
  "The logs show a timeout from the payment provider.",
  "Moved to next sprint: blocked on the API change.",
  "Verified in staging.",
  "Can we get numbers from the benchmark first?",
];
export const LABELS = ["bug", "feature", "frontend", "backend", "infra", "docs", "design", "security", "performance", "ux"];
/** Weighted: most tasks are open or done. */
const STATUSES = ["todo", "todo", "todo", "in_progress", "in_progress", "in_review", "done", "done", "done", "canceled"] as const;

export function taskTitle(random: Random): string {
  return `${pick(random, VERBS)} ${pick(random, SUBJECTS)}${pick(random, QUALIFIERS)}`;
}

export function taskDescription(random: Random): string | null {
  if (random() < 0.2) return null;
  return pickSome(random, DETAILS, 3).join(" ") || pick(random, DETAILS);
}

export function taskStatus(random: Random): (typeof STATUSES)[number] {
  return pick(random, STATUSES);
}

export function commentBody(random: Random): string {
  return pick(random, COMMENTS);
}

/** A due date within 60 days either side of `today`, or none. */
export function dueDate(random: Random, today: Date): string | null {
  if (random() < 0.4) return null;
  const day = new Date(today.getTime() + Math.round((random() - 0.5) * 120) * 86_400_000);
  return day.toISOString().slice(0, 10);
}
