import type { MailCatalog } from "./copy";

export const de: MailCatalog = {
  templates: {
    "verify-email": {
      subject: "Bestätigen Sie Ihre E-Mail-Adresse",
      before: ["Willkommen! Bitte bestätigen Sie, dass diese Adresse Ihnen gehört, um die Einrichtung Ihres Kontos abzuschließen."],
      action: "Adresse bestätigen",
      after: ["Der Link ist {hours} Stunden gültig. Falls Sie kein Konto angelegt haben, ignorieren Sie diese Nachricht."],
    },
    "reset-password": {
      subject: "Passwort zurücksetzen",
      before: ["Jemand, hoffentlich Sie, hat das Zurücksetzen des Passworts für das Konto dieser Adresse angefordert."],
      action: "Neues Passwort wählen",
      after: [
        "Der Link funktioniert einmal und ist {minutes} Minuten gültig. Ein neues Passwort meldet das Konto auf allen Geräten ab.",
        "Falls Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Ihr Passwort bleibt unverändert.",
      ],
    },
    "account-exists": {
      subject: "Für diese Adresse besteht bereits ein Konto",
      before: [
        "Jemand, vielleicht Sie, wollte sich mit dieser Adresse registrieren, doch für sie besteht bereits ein Konto. Es wurde nichts geändert.",
        "Falls Sie es waren, melden Sie sich unter {appUrl} an; haben Sie Ihr Passwort vergessen, können Sie es dort zurücksetzen.",
      ],
      after: ["Falls Sie es nicht waren, ignorieren Sie diese Nachricht."],
    },
    "password-changed": {
      subject: "Ihr Passwort wurde geändert",
      before: ["Das Passwort Ihres Kontos wurde soeben geändert, und das Konto wurde auf anderen Geräten abgemeldet."],
      after: ["Falls Sie das waren, ist nichts zu tun. Falls nicht, setzen Sie Ihr Passwort sofort unter {appUrl} zurück."],
    },
    "workspace-invitation": {
      subject: "Einladung in den Workspace {workspace}",
      before: ["Sie wurden in den Workspace „{workspace}“ eingeladen. Öffnen Sie die Einladung, um sie anzunehmen oder abzulehnen."],
      action: "Einladung öffnen",
      after: [
        "Die Einladung ist {days} Tage gültig. Um sie anzunehmen, melden Sie sich mit einem Konto dieser E-Mail-Adresse an (oder legen Sie eines an) und bestätigen Sie die Adresse.",
        "Falls Sie diese Einladung nicht erwarten, ignorieren Sie diese Nachricht oder lehnen Sie die Einladung ab.",
      ],
    },
  },
  linkHint: "Falls die Schaltfläche nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:",
  signature: "Automatisch versendet; Antworten werden nicht gelesen.",
};
