//! The IMAP client of the privacy mailbox: async-imap on a current-thread tokio runtime owned by each connection, so
//! the rest of the core stays synchronous. TLS always (implicit TLS, or STARTTLS upgraded here before the login):
//! rustls with ring, the system's roots through the platform verifier, plus the organisation's own CA when given.
//! Every exchange has a time limit; every message is measured (`RFC822.SIZE`) before its body is fetched.

use std::sync::Arc;
use std::time::Duration;

use async_imap::Session;
use futures_util::StreamExt;
use time::OffsetDateTime;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// How long one exchange with the server may take.
const TIMEOUT: Duration = Duration::from_secs(30);
/// The keyword a handled message carries when there is no folder to move it to.
pub const TAKEN_KEYWORD: &str = "$RightsdeskTaken";

/// Where and how to connect.
pub struct ImapConfig {
    pub host: String,
    pub port: u16,
    /// Implicit TLS (`tls`, port 993) or `starttls` (port 143).
    pub starttls: bool,
    pub username: String,
    pub password: Zeroizing<String>,
    /// An organisation's own certificate authority (PEM), trusted besides the system's.
    pub ca_pem: Option<Vec<u8>>,
}

/// A message as the server holds it.
pub struct Fetched {
    pub uid: u32,
    /// When the server received it (`INTERNALDATE`): the date of receipt of a request.
    pub received: OffsetDateTime,
    pub bytes: Vec<u8>,
}

/// What the server says about a message before its body is fetched.
pub enum Peek {
    Gone,
    TooLarge(u64),
    Fits,
}

/// One logged-in connection.
pub struct Imap {
    rt: tokio::runtime::Runtime,
    session: Option<Session<TlsStream<TcpStream>>>,
    host: String,
}

fn failed(what: &str, host: &str, e: impl std::fmt::Display) -> Error {
    let text = e.to_string();
    let lower = text.to_lowercase();
    if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        return Error::refused(format!(
            "TLS with the IMAP server {host} failed while {what}: {text} (if its certificate comes from your \
             organisation's own CA, set it as the CA file)"
        ));
    }
    Error::refused(format!("the IMAP server {host} failed while {what}: {text}"))
}

async fn within<T, E: std::fmt::Display>(
    what: &str,
    host: &str,
    f: impl std::future::Future<Output = std::result::Result<T, E>>,
) -> Result<T> {
    match tokio::time::timeout(TIMEOUT, f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(failed(what, host, e)),
        Err(_) => Err(Error::refused(format!(
            "the IMAP server {host} did not answer in time while {what} ({} s)",
            TIMEOUT.as_secs()
        ))),
    }
}

fn tls_connector(ca_pem: Option<&[u8]>) -> Result<tokio_rustls::TlsConnector> {
    Ok(tokio_rustls::TlsConnector::from(Arc::new(crate::tls::client_config(ca_pem, "ca_file")?)))
}

impl Imap {
    /// Connect, secure the connection and log in.
    pub fn connect(cfg: &ImapConfig) -> Result<Imap> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::io("cannot start the IMAP client", e))?;
        let host = cfg.host.clone();
        let session = rt.block_on(async {
            let connector = tls_connector(cfg.ca_pem.as_deref())?;
            let name = rustls_pki_types::ServerName::try_from(cfg.host.clone())
                .map_err(|e| Error::invalid("host", format!("'{}' is not a host name: {e}", cfg.host)))?;
            let tcp = within("connecting", &host, TcpStream::connect((cfg.host.as_str(), cfg.port))).await?;
            let tcp = if cfg.starttls {
                let mut plain = async_imap::Client::new(tcp);
                within("greeting", &host, async {
                    plain
                        .read_response()
                        .await?
                        .ok_or_else(|| std::io::Error::other("the server closed the connection"))
                })
                .await?;
                within("starting TLS (STARTTLS)", &host, plain.run_command_and_check_ok("STARTTLS", None)).await?;
                plain.into_inner()
            } else {
                tcp
            };
            let tls = within("setting up TLS", &host, connector.connect(name, tcp)).await?;
            let mut client = async_imap::Client::new(tls);
            if !cfg.starttls {
                within("greeting", &host, async {
                    client
                        .read_response()
                        .await?
                        .ok_or_else(|| std::io::Error::other("the server closed the connection"))
                })
                .await?;
            }
            match tokio::time::timeout(TIMEOUT, client.login(&cfg.username, cfg.password.as_str())).await {
                Ok(Ok(session)) => Ok(session),
                Ok(Err((e, _))) => Err(Error::refused(format!(
                    "the IMAP server {host} refused the login of {}: {e} (check the user name and password)",
                    cfg.username
                ))),
                Err(_) => Err(Error::refused(format!("the IMAP server {host} did not answer the login in time"))),
            }
        })?;
        Ok(Imap { rt, session: Some(session), host })
    }

    /// Select `folder`; its UIDVALIDITY (UIDs are only comparable under the same one).
    pub fn select(&mut self, folder: &str) -> Result<u32> {
        let host = self.host.clone();
        let Imap { rt, session, .. } = self;
        let session = session.as_mut().ok_or_else(|| Error::refused("the IMAP connection was closed"))?;
        let mailbox = rt.block_on(within(&format!("opening the folder '{folder}'"), &host, session.select(folder)))?;
        mailbox.uid_validity.ok_or_else(|| {
            Error::refused(format!("the IMAP server {host} gives no UIDVALIDITY for '{folder}': it cannot be used"))
        })
    }

    /// The UIDs above `last` in the selected folder, oldest first; with `skip_taken`, not those flagged as taken.
    pub fn uids_after(&mut self, last: u32, skip_taken: bool) -> Result<Vec<u32>> {
        let host = self.host.clone();
        let query = if skip_taken {
            format!("UID {}:* UNKEYWORD {TAKEN_KEYWORD}", last.saturating_add(1))
        } else {
            format!("UID {}:*", last.saturating_add(1))
        };
        let Imap { rt, session, .. } = self;
        let session = session.as_mut().ok_or_else(|| Error::refused("the IMAP connection was closed"))?;
        let found = rt.block_on(within("looking for new messages", &host, session.uid_search(query)))?;
        // `n:*` always names the newest message, even at or below `n`.
        let mut uids: Vec<u32> = found.into_iter().filter(|u| *u > last).collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// The UIDs of the selected folder that carry the taken keyword (handled but not yet moved).
    pub fn taken_uids(&mut self) -> Result<Vec<u32>> {
        let host = self.host.clone();
        let Imap { rt, session, .. } = self;
        let session = session.as_mut().ok_or_else(|| Error::refused("the IMAP connection was closed"))?;
        let found = rt.block_on(within(
            "looking for handled messages",
            &host,
            session.uid_search(format!("KEYWORD {TAKEN_KEYWORD}")),
        ))?;
        let mut uids: Vec<u32> = found.into_iter().collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// The size the server gives for message `uid`, against `limit`.
    pub fn peek(&mut self, uid: u32, limit: u64) -> Result<Peek> {
        let host = self.host.clone();
        let Imap { rt, session, .. } = self;
        let session = session.as_mut().ok_or_else(|| Error::refused("the IMAP connection was closed"))?;
        rt.block_on(async {
            let mut stream =
                within("measuring a message", &host, session.uid_fetch(uid.to_string(), "(UID RFC822.SIZE)")).await?;
            let mut size = None;
            while let Some(item) =
                within("measuring a message", &host, async { Ok::<_, async_imap::error::Error>(stream.next().await) })
                    .await?
            {
                let fetch = item.map_err(|e| failed("measuring a message", &host, e))?;
                if fetch.uid == Some(uid) {
                    size = fetch.size;
                }
            }
            Ok(match size {
                None => Peek::Gone,
                Some(n) if u64::from(n) > limit => Peek::TooLarge(u64::from(n)),
                Some(_) => Peek::Fits,
            })
        })
    }

    /// Message `uid` whole (without marking it read), or `None` if it went away meanwhile.
    pub fn fetch(&mut self, uid: u32, limit: u64) -> Result<Option<Fetched>> {
        match self.peek(uid, limit)? {
            Peek::Gone => return Ok(None),
            Peek::TooLarge(n) => {
                return Err(Error::invalid(
                    "message",
                    format!("message {uid} is {n} bytes, over the limit of {limit}: it was left on the server"),
                ));
            }
            Peek::Fits => {}
        }
        let host = self.host.clone();
        let Imap { rt, session, .. } = self;
        let session = session.as_mut().ok_or_else(|| Error::refused("the IMAP connection was closed"))?;
        rt.block_on(async {
            let mut stream = within(
                "fetching a message",
                &host,
                session.uid_fetch(uid.to_string(), "(UID INTERNALDATE BODY.PEEK[])"),
            )
            .await?;
            let mut got = None;
            while let Some(item) =
                within("fetching a message", &host, async { Ok::<_, async_imap::error::Error>(stream.next().await) })
                    .await?
            {
                let fetch = item.map_err(|e| failed("fetching a message", &host, e))?;
                if fetch.uid != Some(uid) {
                    continue;
                }
                let bytes = fetch.body().map(<[u8]>::to_vec).unwrap_or_default();
                crate::files::check_len("the message", bytes.len() as u64, limit)?;
                let received = fetch
                    .internal_date()
                    .and_then(|d| OffsetDateTime::from_unix_timestamp(d.timestamp()).ok())
                    .ok_or_else(|| {
                        Error::refused(format!("the IMAP server {host} gives no date of receipt for message {uid}"))
                    })?;
                got = Some(Fetched { uid, received, bytes });
            }
            Ok(got)
        })
    }

    /// Mark message `uid` handled on the server: moved to `done_folder`, else flagged with the taken keyword (and
    /// seen). Only ever called once the message is stored in the register.
    pub fn mark_done(&mut self, uid: u32, done_folder: Option<&str>) -> Result<()> {
        let host = self.host.clone();
        let Imap { rt, session, .. } = self;
        let session = session.as_mut().ok_or_else(|| Error::refused("the IMAP connection was closed"))?;
        rt.block_on(async {
            match done_folder {
                Some(folder) => {
                    within(&format!("moving a message to '{folder}'"), &host, session.uid_mv(uid.to_string(), folder))
                        .await
                }
                None => {
                    let flags = format!("+FLAGS.SILENT (\\Seen {TAKEN_KEYWORD})");
                    let mut stream =
                        within("flagging a message", &host, session.uid_store(uid.to_string(), flags)).await?;
                    while let Some(item) = within("flagging a message", &host, async {
                        Ok::<_, async_imap::error::Error>(stream.next().await)
                    })
                    .await?
                    {
                        item.map_err(|e| failed("flagging a message", &host, e))?;
                    }
                    Ok(())
                }
            }
        })
    }

    /// Put a copy of `bytes` into `folder` (the Sent folder; tests deliver with it too), with `flags` (e.g.
    /// `(\\Seen)`) and the date of receipt `received` (IMAP's `"03-Mar-2026 10:00:00 +0000"`; none: now).
    pub fn append(&mut self, folder: &str, bytes: &[u8], flags: Option<&str>, received: Option<&str>) -> Result<()> {
        let host = self.host.clone();
        let Imap { rt, session, .. } = self;
        let session = session.as_mut().ok_or_else(|| Error::refused("the IMAP connection was closed"))?;
        let date = received.map(|d| format!("\"{d}\""));
        rt.block_on(within(
            &format!("saving a copy in '{folder}'"),
            &host,
            session.append(folder, flags, date.as_deref(), bytes),
        ))
    }

    /// Wait up to `wait` for the server to announce a change of the selected folder (IMAP IDLE); false when the
    /// time ran out. The connection stays usable.
    pub fn idle(&mut self, wait: Duration) -> Result<bool> {
        let host = self.host.clone();
        let session = self.session.take().ok_or_else(|| Error::refused("the IMAP connection was closed"))?;
        let (session, woken) = self.rt.block_on(async {
            let mut handle = session.idle();
            within("waiting for new mail (IDLE)", &host, handle.init()).await?;
            let (wait_for, _stop) = handle.wait_with_timeout(wait);
            let outcome = wait_for.await.map_err(|e| failed("waiting for new mail (IDLE)", &host, e))?;
            let woken = matches!(outcome, async_imap::extensions::idle::IdleResponse::NewData(_));
            let session = within("ending IDLE", &host, handle.done()).await?;
            Ok::<_, Error>((session, woken))
        })?;
        self.session = Some(session);
        Ok(woken)
    }

    /// Log out politely (errors do not matter any more).
    pub fn logout(mut self) {
        if let Some(mut session) = self.session.take() {
            let _ = self.rt.block_on(async { tokio::time::timeout(Duration::from_secs(5), session.logout()).await });
        }
    }

    /// Whether the server offers IDLE.
    pub fn has_idle(&mut self) -> Result<bool> {
        let host = self.host.clone();
        let Imap { rt, session, .. } = self;
        let session = session.as_mut().ok_or_else(|| Error::refused("the IMAP connection was closed"))?;
        let caps = rt.block_on(within("asking what the server offers", &host, session.capabilities()))?;
        Ok(caps.has_str("IDLE"))
    }
}
