// The floor of `npm run bench`: a bare Hono Worker answering `/health` and the ping as the app must
// (bench/middleware-floor.ts), with no middleware. What it costs over the bare Worker is what the
// tests require of those answers; what the app costs over it is what the app's design adds.
import { floor } from "./middleware-floor";

export default floor();
