// What becomes of a message just queued, said truly: the window delivers the outbox every minute, but only through
// an email server; without one the message waits, and the officer is told where to set it up.
import { call } from "./api";

/** The end of the sentence "Queued for X: …". */
export async function whenDelivered(): Promise<string> {
  const smtp = await call("smtpSettings");
  return smtp.host.trim()
    ? "it is delivered within a minute"
    : "no email server is set up yet, so it waits in the outbox until one is (Letters… → Email server)";
}
