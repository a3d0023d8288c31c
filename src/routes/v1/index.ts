import { createRouter } from "../../lib/create-router";

/**
 * Every versioned API route. Resources are mounted here as they arrive, e.g.
 * `v1.route("/tasks", tasks)` with `tasks` from `routes/v1/tasks/tasks.index.ts`.
 */
export const v1 = createRouter();
