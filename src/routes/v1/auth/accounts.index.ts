import { createRouter } from "../../../lib/create-router";
import { authenticate } from "../../../middleware/authenticate";
import * as handlers from "./accounts.handlers";
import * as routes from "./accounts.routes";

const router = createRouter();
router.use("/email/verification", authenticate());
router.use("/password/change", authenticate());
/** Registration, e-mail verification and password reset and change, under /v1/auth. */
export const accounts = router
  .openapi(routes.register, handlers.register)
  .openapi(routes.resendVerification, handlers.resendVerification)
  .openapi(routes.verifyEmail, handlers.verifyEmail)
  .openapi(routes.forgotPassword, handlers.forgotPassword)
  .openapi(routes.resetPassword, handlers.resetPassword)
  .openapi(routes.changePassword, handlers.changePassword);
