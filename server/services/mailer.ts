import nodemailer from 'nodemailer';

export type Mail = { to: string; subject: string; text: string };
/** The one thing the server asks of mail: send this. */
export type Mailer = { send(mail: Mail): Promise<void> };

/** Mail through the SMTP server SMTP_URL names (nodemailer), from MAIL_FROM. */
export function smtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(mail) {
      await transport.sendMail({ from, ...mail });
    },
  };
}
