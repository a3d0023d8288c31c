// The baseline for `npm run bench`: a bare Hono Worker answering GET /health like the app does.
import { Hono } from "hono";

export default new Hono().get("/health", (c) => c.json({ status: "ok" }));
