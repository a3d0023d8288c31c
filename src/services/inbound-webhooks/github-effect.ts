import { MAX_COMMENT_LENGTH } from "../domain/comments";

/** A comment a delivery adds to the task its text names. */
export interface TaskComment {
  /** The project's key and the task's number: `WEB-42` is `{ projectKey: "WEB", number: 42 }`. */
  projectKey: string;
  number: number;
  body: string;
}

/** Tasks one delivery may comment on: a push naming hundreds of keys is noise, not a link. */
export const MAX_TASKS_PER_DELIVERY = 20;
/** Commits of one push read (GitHub sends at most 20 in the payload). */
const MAX_COMMITS = 20;
/** A project key (`^[A-Z][A-Z0-9]{1,9}$`, see the projects table) and a task number, as a word of its own. */
const TASK_KEY = /\b([A-Z][A-Z0-9]{1,9})-([1-9]\d{0,8})\b/g;

interface Push {
  ref?: unknown;
  repository?: { full_name?: unknown };
  commits?: Array<{ id?: unknown; message?: unknown; url?: unknown }>;
}

interface PullRequestEvent {
  action?: unknown;
  repository?: { full_name?: unknown };
  pull_request?: { number?: unknown; title?: unknown; body?: unknown; html_url?: unknown };
}

/**
 * The comments a GitHub delivery adds: for a `push`, one per task named in its commits' messages,
 * listing those commits; for a `pull_request`, one per task named in its title or body. Other events
 * add nothing. Pure: the payload is the sender's, so every field is checked before it is read.
 */
export function githubComments(eventType: string, payload: unknown): TaskComment[] {
  if (eventType === "push") return pushComments(payload as Push);
  if (eventType === "pull_request") return pullRequestComments(payload as PullRequestEvent);
  return [];
}

function pushComments(push: Push): TaskComment[] {
  const repository = text(push.repository?.full_name) ?? "a repository";
  const branch = text(push.ref)?.replace(/^refs\/heads\//, "");
  const lines = new Map<string, { projectKey: string; number: number; lines: string[] }>();
  for (const commit of Array.isArray(push.commits) ? push.commits.slice(0, MAX_COMMITS) : []) {
    const message = text(commit?.message);
    if (!message) continue;
    const line = `- ${text(commit.id)?.slice(0, 7) ?? "commit"} ${message.split("\n", 1)[0]!.slice(0, 200)}`;
    for (const key of taskKeys(message)) {
      const entry = lines.get(key.name) ?? { ...key.task, lines: [] };
      entry.lines.push(line);
      lines.set(key.name, entry);
    }
  }
  const heading = `Mentioned in a push to ${repository}${branch ? ` (${branch})` : ""}:`;
  return [...lines.values()].slice(0, MAX_TASKS_PER_DELIVERY).map(({ projectKey, number, lines: mentions }) => ({ projectKey, number, body: bounded(`${heading}\n${mentions.join("\n")}`) }));
}

function pullRequestComments(event: PullRequestEvent): TaskComment[] {
  const pull = event.pull_request;
  const title = text(pull?.title) ?? "";
  const named = taskKeys(`${title}\n${text(pull?.body) ?? ""}`);
  const number = typeof pull?.number === "number" ? ` #${pull.number}` : "";
  const body = bounded(`Mentioned in pull request${number} of ${text(event.repository?.full_name) ?? "a repository"} (${text(event.action) ?? "updated"}): ${title}`);
  return named.slice(0, MAX_TASKS_PER_DELIVERY).map(({ task }) => ({ ...task, body }));
}

/** The task keys `value` names, each once, in order of first mention. */
export function taskKeys(value: string): Array<{ name: string; task: { projectKey: string; number: number } }> {
  const found = new Map<string, { projectKey: string; number: number }>();
  for (const match of value.matchAll(TASK_KEY)) found.set(match[0], { projectKey: match[1]!, number: Number(match[2]) });
  return [...found].map(([name, task]) => ({ name, task }));
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function bounded(body: string): string {
  return body.length <= MAX_COMMENT_LENGTH ? body : `${body.slice(0, MAX_COMMENT_LENGTH - 1)}…`;
}
