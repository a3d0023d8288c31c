import { createRouter } from "../../../lib/create-router";
import { authenticate } from "../../../middleware/authenticate";

/** `/v1/invitations`: what the invited person does with an invitation's token (accept, decline). */
export const invitations = createRouter();
invitations.use("*", authenticate());
