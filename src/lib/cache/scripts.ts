/**
 * The Redis tier's Lua scripts: each is one round trip and atomic, and each reads the family's
 * version inside Redis, so a reader never acts on a version another command has moved on from.
 */

/**
 * Reads the value of `key` under the family's current version.
 * KEYS[1] version key; ARGV: valueBase, key, lockBase, lock token, lock ms (0: take no lock).
 * Returns {version, 1, value} on a hit, else {version, 0, 1 if this caller took the fill lock}.
 */
export const READ_SCRIPT = `
local version = tonumber(redis.call('GET', KEYS[1]) or '0')
local suffix = version .. ':' .. ARGV[2]
local value = redis.call('GET', ARGV[1] .. suffix)
if value then return {version, 1, value} end
if ARGV[5] == '0' then return {version, 0, 0} end
local locked = redis.call('SET', ARGV[3] .. suffix, ARGV[4], 'NX', 'PX', ARGV[5])
if locked then return {version, 0, 1} end
return {version, 0, 0}
`;

/**
 * Stores a value read under `version`, unless the family has moved on since (a write invalidated it
 * while the database was read: the value may predate the write). Releases the caller's fill lock.
 * Keeps the version key alive longer than any value under it, so a version never comes back while a
 * value stored under it still lives.
 * KEYS[1] version key; ARGV: valueBase, key, lockBase, version, value, value ms, lock token, version ms.
 * Returns 1 when stored, 0 when the family had moved on.
 */
export const FILL_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local suffix = ARGV[4] .. ':' .. ARGV[2]
if redis.call('GET', ARGV[3] .. suffix) == ARGV[7] then redis.call('DEL', ARGV[3] .. suffix) end
if current ~= tonumber(ARGV[4]) then return 0 end
redis.call('SET', ARGV[1] .. suffix, ARGV[5], 'PX', ARGV[6])
if current > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[8]) end
return 1
`;

/**
 * Moves the family to a new version: every value stored under the old one is unreachable at once.
 * KEYS[1] version key; ARGV[1] version ms. Returns the new version.
 */
export const INVALIDATE_SCRIPT = `
local version = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return version
`;
