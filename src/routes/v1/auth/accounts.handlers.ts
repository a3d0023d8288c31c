import type { AppRouteHandler } from "../../../lib/create-router";
import { negotiateLanguage } from "../../../lib/i18n";
import { requestMeta } from "../../../lib/request-meta";
import { resendVerification as resendVerificationService, verifyEmail as verifyEmailService } from "../../../services/identity/email-verification";
import { changePassword as changePasswordService } from "../../../services/identity/password-change";
import { requestPasswordReset, resetPassword as resetPasswordService } from "../../../services/identity/password-reset";
import { register as registerService } from "../../../services/identity/registration";
import { accountDeps, forgetSessions, queueMail } from "./account-context";
import type {
  ChangePasswordRoute,
  ForgotPasswordRoute,
  RegisterRoute,
  ResendVerificationRoute,
  ResetPasswordRoute,
  VerifyEmailRoute,
} from "./accounts.routes";
import { currentAuth } from "./context";

const ACCEPTED = { status: "accepted" as const };

export const register: AppRouteHandler<RegisterRoute> = async (c) => {
  const locale = negotiateLanguage(c.req.header("Accept-Language"));
  queueMail(c, await registerService(accountDeps(c), { ...c.req.valid("json"), locale }, requestMeta(c)));
  return c.json(ACCEPTED, 202);
};

export const resendVerification: AppRouteHandler<ResendVerificationRoute> = async (c) => {
  queueMail(c, await resendVerificationService(accountDeps(c), currentAuth(c).userId));
  return c.json(ACCEPTED, 202);
};

export const verifyEmail: AppRouteHandler<VerifyEmailRoute> = async (c) => {
  const { userId } = await verifyEmailService(accountDeps(c), c.req.valid("json").token, requestMeta(c));
  c.set("userId", userId);
  return c.body(null, 204);
};

export const forgotPassword: AppRouteHandler<ForgotPasswordRoute> = async (c) => {
  queueMail(c, await requestPasswordReset(accountDeps(c), c.req.valid("json"), requestMeta(c)));
  return c.json(ACCEPTED, 202);
};

export const resetPassword: AppRouteHandler<ResetPasswordRoute> = async (c) => {
  const { userId, endedSessionIds, mail } = await resetPasswordService(accountDeps(c), c.req.valid("json"), requestMeta(c));
  c.set("userId", userId);
  forgetSessions(c, endedSessionIds);
  queueMail(c, mail);
  return c.body(null, 204);
};

export const changePassword: AppRouteHandler<ChangePasswordRoute> = async (c) => {
  const { endedSessionIds, mail } = await changePasswordService(accountDeps(c), currentAuth(c), c.req.valid("json"), requestMeta(c));
  forgetSessions(c, endedSessionIds);
  queueMail(c, mail);
  return c.body(null, 204);
};
