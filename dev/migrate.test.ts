import { describe, expect, it } from "vitest";
import { describeDatabase } from "./migrate.ts";

describe("describeDatabase", () => {
  it("names the database, host and port without the password", () => {
    expect(describeDatabase("postgres://app:s3cret@ep-calm-1.eu-central-1.aws.neon.tech/neondb")).toBe(
      'database "neondb" on ep-calm-1.eu-central-1.aws.neon.tech:5432 (postgres://app:***@ep-calm-1.eu-central-1.aws.neon.tech/neondb)',
    );
  });

  it("names the host pg connects to when a host parameter overrides the URL's", () => {
    expect(describeDatabase("postgres://app@localhost:6543/app?host=db.example.com")).toMatch(/^database "app" on db\.example\.com:6543 /);
  });
});
