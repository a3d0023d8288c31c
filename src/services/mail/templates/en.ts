import type { MailCatalog } from "./copy";

export const en: MailCatalog = {
  templates: {
    "verify-email": {
      subject: "Confirm your e-mail address",
      before: ["Welcome! Please confirm that this address is yours to finish setting up your account."],
      action: "Confirm my address",
      after: ["The link works for {hours} hours. If you did not create an account, ignore this message."],
    },
    "reset-password": {
      subject: "Reset your password",
      before: ["Someone, hopefully you, asked to reset the password of the account for this address."],
      action: "Choose a new password",
      after: [
        "The link works once, for {minutes} minutes. A new password signs the account out on every device.",
        "If you did not ask for this, ignore this message: your password stays as it is.",
      ],
    },
    "account-exists": {
      subject: "An account already exists for this address",
      before: [
        "Someone, perhaps you, tried to register with this address, but it already has an account. Nothing was changed.",
        "If it was you, sign in at {appUrl}; if you forgot your password, you can reset it there.",
      ],
      after: ["If it was not you, ignore this message."],
    },
    "password-changed": {
      subject: "Your password was changed",
      before: ["The password of your account was just changed, and the account was signed out on other devices."],
      after: ["If this was you, there is nothing to do. If it was not, reset your password at {appUrl} at once."],
    },
    "workspace-invitation": {
      subject: "You are invited to join {workspace}",
      before: ["You have been invited to join the workspace “{workspace}”. Open the invitation to accept or decline it."],
      action: "Open the invitation",
      after: [
        "The invitation works for {days} days. To accept it, sign in with, or create, an account of this e-mail address and confirm the address.",
        "If you do not expect this invitation, ignore this message or decline it.",
      ],
    },
  },
  linkHint: "If the button does not work, copy this address into your browser:",
  signature: "Sent automatically; replies are not read.",
};
