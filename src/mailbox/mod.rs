//! The privacy mailbox (issue 20): the IMAP client (`imap`) and how a message is read and told apart — a reply to
//! a request, or something new for the intake tray (`classify`).

pub mod imap;
