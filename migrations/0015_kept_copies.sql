-- What Rightsdesk keeps of a message once it is delivered (issue 20): a message may carry a secret that must
-- reach the recipient but stay nowhere else, the password of a data copy sent apart from its encrypted ZIP.
-- `eml_kept` is then the copy to keep in its place, built with the message (the same headers, Message-ID and date;
-- the secret replaced by a note). The message itself (`eml`) waits in the outbox until the SMTP server accepted
-- it, so a closed app or a server down loses nothing; in the transaction that records it `sent`, `eml` becomes
-- `eml_kept` and `eml_kept` is emptied, before the .eml is attached to the request or copied to the Sent folder.
-- NULL for every other message: kept as sent.
ALTER TABLE outbox ADD COLUMN eml_kept BLOB;
