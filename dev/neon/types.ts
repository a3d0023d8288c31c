/** Where the local Neon endpoints send their traffic: a PostgreSQL (or PGlite) TCP port. */
export interface PgTarget {
  host: string;
  port: number;
  /** Used when the Neon-Connection-String has no password. */
  defaultUser?: string;
  /** How many pooled connections per (user, password, database); 1 for PGlite. */
  maxConnectionsPerDatabase?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}
