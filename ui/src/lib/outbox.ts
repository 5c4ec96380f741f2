// What becomes of a message just queued, said truly: the window delivers the outbox every minute, but only through
// an email server; without one the message waits, and the officer is told where to set it up.
import { call } from "./api";
import { t } from "./i18n.svelte";

/** The end of the sentence "Queued for X: …". */
export async function whenDelivered(): Promise<string> {
  const smtp = await call("smtpSettings");
  return smtp.host.trim() ? t("outbox.delivered") : t("outbox.waits");
}
