import type { MailCatalog } from "./copy";

export const es: MailCatalog = {
  templates: {
    "verify-email": {
      subject: "Confirme su dirección de correo electrónico",
      before: ["¡Bienvenido! Confirme que esta dirección es suya para terminar de configurar su cuenta."],
      action: "Confirmar mi dirección",
      after: ["El enlace es válido durante {hours} horas. Si no ha creado ninguna cuenta, ignore este mensaje."],
    },
    "reset-password": {
      subject: "Restablezca su contraseña",
      before: ["Alguien, esperamos que usted, ha pedido restablecer la contraseña de la cuenta de esta dirección."],
      action: "Elegir una contraseña nueva",
      after: [
        "El enlace funciona una sola vez y es válido durante {minutes} minutos. Una contraseña nueva cierra la sesión de la cuenta en todos los dispositivos.",
        "Si no lo ha pedido usted, ignore este mensaje: su contraseña no cambia.",
      ],
    },
    "account-exists": {
      subject: "Ya existe una cuenta para esta dirección",
      before: [
        "Alguien, quizá usted, ha intentado registrarse con esta dirección, pero ya tiene una cuenta. No se ha cambiado nada.",
        "Si ha sido usted, inicie sesión en {appUrl}; si ha olvidado su contraseña, puede restablecerla allí.",
      ],
      after: ["Si no ha sido usted, ignore este mensaje."],
    },
    "password-changed": {
      subject: "Se ha cambiado su contraseña",
      before: ["Se acaba de cambiar la contraseña de su cuenta y se ha cerrado la sesión en los demás dispositivos."],
      after: ["Si ha sido usted, no tiene que hacer nada. Si no, restablezca su contraseña en {appUrl} de inmediato."],
    },
    "workspace-invitation": {
      subject: "Invitación al espacio de trabajo {workspace}",
      before: ["Le han invitado a unirse al espacio de trabajo «{workspace}». Abra la invitación para aceptarla o rechazarla."],
      action: "Abrir la invitación",
      after: [
        "La invitación es válida durante {days} días. Para aceptarla, inicie sesión con una cuenta de esta dirección de correo electrónico (o cree una) y confirme la dirección.",
        "Si no espera esta invitación, ignore este mensaje o rechace la invitación.",
      ],
    },
  },
  linkHint: "Si el botón no funciona, copie esta dirección en su navegador:",
  signature: "Enviado automáticamente; las respuestas no se leen.",
};
