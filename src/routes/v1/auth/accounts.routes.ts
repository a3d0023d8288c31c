import { createRoute, z } from "@hono/zod-openapi";
import { BEARER_AUTH, jsonBody, NO_AUTH, problemResponse } from "../../../lib/openapi";
import { CurrentPasswordSchema, PasswordSchema } from "../../../lib/passwords";


const EmailSchema = z.email().max(254).openapi({ example: "ada@example.com" });
const OneTimeTokenSchema = z.string().min(1).max(128).openapi({ description: "The token from the link in the mail." });

/** The one answer of requests whose outcome must not show whether an address has an account. */
export const AcceptedSchema = z
  .object({ status: z.literal("accepted") })
  .openapi("Accepted", { description: "Accepted; if a mail is due, it is on its way. The same answer for every address." });

const RegisterSchema = z
  .object({ email: EmailSchema, password: PasswordSchema, name: z.string().trim().min(1).max(100).optional() })
  .strict()
  .openapi("Register");
const VerifyEmailSchema = z.object({ token: OneTimeTokenSchema }).strict().openapi("VerifyEmail");
const ForgotPasswordSchema = z.object({ email: EmailSchema }).strict().openapi("ForgotPassword");
const ResetPasswordSchema = z.object({ token: OneTimeTokenSchema, password: PasswordSchema }).strict().openapi("ResetPassword");
const ChangePasswordSchema = z.object({ currentPassword: CurrentPasswordSchema, newPassword: PasswordSchema }).strict().openapi("ChangePassword");

const accepted = { description: "Accepted.", content: { "application/json": { schema: AcceptedSchema } } };
const tags = ["Accounts"];

export const register = createRoute({
  method: "post",
  path: "/register",
  security: NO_AUTH,
  tags,
  summary: "Create an account; a verification mail follows. An address that has an account gets a notice instead, and the same answer.",
  request: { body: jsonBody(RegisterSchema) },
  responses: { 202: accepted, 400: problemResponse("The body is invalid: a malformed address, or a password that is too short, too long or too common.") },
});

export const resendVerification = createRoute({
  method: "post",
  path: "/email/verification",
  tags,
  security: BEARER_AUTH,
  summary: "Send the verification mail again; nothing is sent when the address is already verified.",
  responses: { 202: accepted, 401: problemResponse("No valid access token.") },
});

export const verifyEmail = createRoute({
  method: "post",
  path: "/email/verify",
  security: NO_AUTH,
  tags,
  summary: "Confirm the address with the token from the verification mail (valid 24 hours, once).",
  request: { body: jsonBody(VerifyEmailSchema) },
  responses: { 204: { description: "The address is verified." }, 400: problemResponse("INVALID_TOKEN: unknown, used, expired or of another purpose; or an invalid body.") },
});

export const forgotPassword = createRoute({
  method: "post",
  path: "/password/forgot",
  security: NO_AUTH,
  tags,
  summary: "Send a password reset mail (its link works 30 minutes, once) if the address has an account; the same answer for every address.",
  request: { body: jsonBody(ForgotPasswordSchema) },
  responses: { 202: accepted, 400: problemResponse("The body is invalid.") },
});

export const resetPassword = createRoute({
  method: "post",
  path: "/password/reset",
  security: NO_AUTH,
  tags,
  summary: "Set a new password with the token from the reset mail; every session of the account ends.",
  request: { body: jsonBody(ResetPasswordSchema) },
  responses: {
    204: { description: "The password is set; sign in with it." },
    400: problemResponse("INVALID_TOKEN: unknown, used, expired or of another purpose; or an invalid body or password."),
  },
});

export const changePassword = createRoute({
  method: "post",
  path: "/password/change",
  tags,
  security: BEARER_AUTH,
  summary: "Change the password; every other session ends, this one stays, and a notice mail is sent.",
  request: { body: jsonBody(ChangePasswordSchema) },
  responses: {
    204: { description: "The password is changed." },
    400: problemResponse("The body is invalid, or the new password too short, too long or too common."),
    401: problemResponse("No valid access token."),
    403: problemResponse("INVALID_CURRENT_PASSWORD: the current password is wrong."),
  },
});

export type RegisterRoute = typeof register;
export type ResendVerificationRoute = typeof resendVerification;
export type VerifyEmailRoute = typeof verifyEmail;
export type ForgotPasswordRoute = typeof forgotPassword;
export type ResetPasswordRoute = typeof resetPassword;
export type ChangePasswordRoute = typeof changePassword;
