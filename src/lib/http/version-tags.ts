/**
 * Strong ETags of versioned resources (projects, tasks): `"<id>.<version>"`, the version being the
 * row's `updated_at` in microseconds, so the tag changes with every write and only then, and a tag
 * read back names the state it was made from.
 * @example versionTag("tsk_…", "1764496800123456") // '"tsk_….1764496800123456"'
 */
export function versionTag(id: string, version: string): string {
  return `"${id}.${version}"`;
}

const TAG = /(W\/)?"([a-z]+_[0-9a-z]+)\.(\d{1,20})"/g;
/** No client needs more: bounds the work on a header someone made huge. */
const MAX_TAGS = 16;

/**
 * The versions of resource `id` an `If-Match` field accepts: undefined when there is none or it is
 * `*` (any current version will do), else those of its tags that are strong and name `id` (weak tags
 * never match, RFC 9110 section 13.1.1), possibly none, which no version matches.
 */
export function ifMatchVersions(ifMatch: string | undefined, id: string): string[] | undefined {
  if (ifMatch === undefined || ifMatch.trim() === "*") return undefined;
  const versions: string[] = [];
  let count = 0;
  for (const match of ifMatch.matchAll(TAG)) {
    if (++count > MAX_TAGS) break;
    if (!match[1] && match[2] === id) versions.push(match[3]!);
  }
  return versions;
}
