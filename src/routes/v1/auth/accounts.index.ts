import { createRouter } from "../../../lib/create-router";
import { authenticate } from "../../../middleware/authenticate";
import * as handlers from "./accounts.handlers";
import * as routes from "./accounts.routes";

/** Registration, e-mail verification and password reset and change, under /v1/auth. */
export const accounts = createRouter();
accounts.use("/email/verification", authenticate());
accounts.use("/password/change", authenticate());
accounts
  .openapi(routes.register, handlers.register)
  .openapi(routes.resendVerification, handlers.resendVerification)
  .openapi(routes.verifyEmail, handlers.verifyEmail)
  .openapi(routes.forgotPassword, handlers.forgotPassword)
  .openapi(routes.resetPassword, handlers.resetPassword)
  .openapi(routes.changePassword, handlers.changePassword);
