/** Logs of the local stack: one line each, on stderr, never a password. */

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

// The password runs to the LAST "@" of the authority (URL parsers and pg accept a raw "@" in it);
// the authority ends at "/", "?", "#", whitespace or a quote (URLs embedded in JSON).
const PASSWORD_IN_URL = /(\w+:\/\/[^:/@\s"']*:)[^\s/?#"']*@/g;

/** Replaces the password of every URL in the text with `***`. */
export function redact(text: string): string {
  return text.replace(PASSWORD_IN_URL, "$1***@");
}

export function createLogger(scope: string, options: { quiet?: boolean } = {}): Logger {
  const write = (level: string, message: string, fields?: Record<string, unknown>) => {
    if (options.quiet && level === "info") return;
    const extra = fields ? ` ${JSON.stringify(fields)}` : "";
    process.stderr.write(redact(`[${scope}] ${level}: ${message}${extra}`) + "\n");
  };
  return {
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
  };
}

/** A logger that writes nothing, for callers that do not care. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
