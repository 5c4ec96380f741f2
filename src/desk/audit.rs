//! What the audit trail guarantees, as an officer uses it: `verify` (the chain and its purge records, every request
//! row against its trail, the append-only triggers, the signed checkpoints, an anchor kept outside), signed
//! checkpoints of the chain head (daily, and with every export and evidence pack), the signing key, and anchors.
//! The threat model — what is detected and what is not — is in docs/security.md.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Desk;
use crate::domain::event::{self as ev, AuditEvent};
use crate::error::{Error, Result};
use crate::safe_file::{Existing, Output};
use crate::signing::{self, Sealed, SigningKey};
use crate::store::{self, ChainBreak, HeadAt, RowsCheck, StoredCheckpoint, TriggerProblem};

const BODY_FORMAT: &str = "rightsdesk-checkpoint-1";
const ANCHOR_FORMAT: &str = "rightsdesk-anchor-1";
const KEYRING_SERVICE: &str = "org.rightsdesk.audit";
/// The passphrase that opens a sealed signing key, for scripts and the command line (the window asks for it).
pub const PASSPHRASE_ENV: &str = "RIGHTSDESK_AUDIT_PASSPHRASE";

/// What a checkpoint signs: the register, the chain head and when. Field order is the signed text's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct CheckpointBody {
    format: String,
    register: String,
    seq: i64,
    hash: String,
    events: u64,
    at: String,
    key: String,
}

/// A checkpoint as shown to the officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CheckpointInfo {
    pub at: String,
    pub reason: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub seq: i64,
    pub hash: String,
    /// The signing key's fingerprint.
    pub key: String,
}

/// The signing key and the newest checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AuditKeyStatus {
    pub set_up: bool,
    /// `keyring` or `passphrase`.
    pub storage: Option<String>,
    /// Checkpoints can be signed now (the keyring answered, or the passphrase was given).
    pub unlocked: bool,
    pub fingerprint: Option<String>,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub checkpoints: u64,
    pub newest: Option<CheckpointInfo>,
}

/// The signed checkpoints against the chain as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CheckpointsCheck {
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub count: u64,
    pub newest: Option<CheckpointInfo>,
    /// Events recorded after the newest checkpoint: not yet protected by a signature.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub events_since_newest: u64,
    pub problems: Vec<String>,
}

/// An anchor file the officer kept, against the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AnchorCheck {
    pub at: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub seq: i64,
    pub ok: bool,
    pub problem: Option<String>,
}

/// `audit verify`: everything checked, and whether it all held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ChainReport {
    pub ok: bool,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub events_checked: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub events_purged: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub head_seq: i64,
    pub head_hash: String,
    pub first_break: Option<ChainBreak>,
    pub rows: RowsCheck,
    /// Append-only triggers found missing or altered (restored on open where the register is writable).
    pub triggers: Vec<TriggerProblem>,
    pub checkpoints: CheckpointsCheck,
    pub anchor: Option<AnchorCheck>,
    /// What the check cannot vouch for, in words (no signing key, events after the newest checkpoint …).
    pub notes: Vec<String>,
}

impl Desk {
    /// Check everything the audit trail promises; with `anchor`, also against a head exported earlier.
    pub fn verify_audit_with(&self, anchor: Option<&Path>) -> Result<ChainReport> {
        let anchor = anchor.map(read_anchor).transpose()?;
        let public = self.store.setting("audit.key.public")?;
        let register = self.lineage()?;
        let ((walk, rows), mut triggers, stored, restorations) = self.store.read(|rd| {
            Ok((
                rd.verify_chain_and_rows()?,
                rd.trigger_problems()?,
                rd.checkpoints()?,
                rd.register_events("trigger_restored")?,
            ))
        })?;
        triggers.extend(self.triggers_restored.iter().cloned());
        let mut checkpoints = CheckpointsCheck { count: stored.len() as u64, ..Default::default() };
        for cp in &stored {
            if let Some(problem) = self.check_checkpoint(&cp.body, &cp.signature, public.as_deref(), &register)? {
                checkpoints.problems.push(format!("checkpoint {} of {}: {problem}", cp.id, cp.at));
            }
        }
        checkpoints.newest = stored.last().and_then(|cp| info(cp).ok());
        if let Some(newest) = &checkpoints.newest {
            checkpoints.events_since_newest = self.store.read(|rd| rd.events_after(newest.seq))?;
        }
        let mut notes = vec![];
        match (&public, stored.is_empty()) {
            (None, _) => notes.push(
                "no signing key is set up: a rewrite of the whole log (every hash recomputed) cannot be detected; set \
                 one up with `rightsdesk audit key setup`"
                    .to_string(),
            ),
            (Some(_), true) => checkpoints
                .problems
                .push("a signing key is set up but no checkpoint is left: checkpoints were removed".into()),
            (Some(_), false) => {}
        }
        checkpoints.problems.extend(self.key_problems(public.as_deref())?);
        if checkpoints.events_since_newest > 0 {
            notes.push(format!(
                "{} event(s) were recorded after the newest checkpoint: they are chained but not yet signed",
                checkpoints.events_since_newest
            ));
        }
        if rows.unchecked > 0 {
            notes.push(format!(
                "{} request(s) have no recorded state to hold their row to: checked from their next change",
                rows.unchecked
            ));
        }
        for restored in restorations {
            notes.push(format!("an append-only trigger was found missing or altered and restored: {restored}"));
        }
        let anchor = match anchor {
            Some((body, signature)) => {
                Some(self.check_anchor(&body, signature.as_deref(), public.as_deref(), &register)?)
            }
            None => None,
        };
        let ok = walk.first_break.is_none()
            && rows.differing == 0
            && triggers.is_empty()
            && checkpoints.problems.is_empty()
            && anchor.as_ref().is_none_or(|a| a.ok);
        Ok(ChainReport {
            ok,
            events_checked: walk.events_checked,
            events_purged: walk.events_purged,
            head_seq: walk.head_seq,
            head_hash: walk.head_hash,
            first_break: walk.first_break,
            rows,
            triggers,
            checkpoints,
            anchor,
            notes,
        })
    }

    /// The signing key against the trail and the keyring: the key the chain recorded must still be the register's,
    /// and a key kept in the keyring must be that key (a database writer cannot reach the keyring).
    fn key_problems(&self, public: Option<&str>) -> Result<Vec<String>> {
        let mut problems = vec![];
        let recorded = self.store.read(|rd| rd.register_event_data("signing_key_created"))?;
        if let Some(made) = recorded.last().and_then(|d| d["public_key"].as_str().map(str::to_string))
            && public != Some(made.as_str())
        {
            problems.push(format!(
                "the trail records the signing key {} but the register's key is {}: the key was replaced or removed",
                signing::fingerprint(&made),
                public.map_or_else(|| "gone".to_string(), signing::fingerprint)
            ));
        }
        if let (Some(public), Some("keyring")) = (public, self.store.setting("audit.key.storage")?.as_deref())
            && let Ok(seed) = keyring_entry(&self.key_register()?).and_then(|entry| {
                entry.get_password().map_err(|e| Error::invalid("key", format!("the OS keyring: {e}")))
            })
            && SigningKey::from_seed_hex(&seed).map(|k| k.public_hex()).ok().as_deref() != Some(public)
        {
            problems.push("the key in the OS keyring is not the register's: the register's key was replaced".into());
        }
        Ok(problems)
    }

    /// The problem with one signed head, if any: signature, key, register (`register`: this register's id and the
    /// ids of the registers it was copied from), and the chain still holding it.
    fn check_checkpoint(
        &self,
        body: &str,
        signature: &str,
        public: Option<&str>,
        register: &[String],
    ) -> Result<Option<String>> {
        let Ok(parsed) = serde_json::from_str::<CheckpointBody>(body) else {
            return Ok(Some("it cannot be read".into()));
        };
        if parsed.format != BODY_FORMAT {
            return Ok(Some(format!("unknown format {}", parsed.format)));
        }
        if !signing::verify(&parsed.key, body.as_bytes(), signature) {
            return Ok(Some("its signature does not verify: it was altered".into()));
        }
        if public != Some(parsed.key.as_str()) {
            return Ok(Some(format!(
                "it was signed by another key ({}) than the register's: the key was replaced",
                signing::fingerprint(&parsed.key)
            )));
        }
        if !register.contains(&parsed.register) {
            return Ok(Some("it belongs to another register".into()));
        }
        Ok(match self.store.read(|rd| rd.hash_at(parsed.seq))? {
            HeadAt::Hash(h) if h == parsed.hash => None,
            HeadAt::Hash(_) => Some(format!(
                "the chain no longer holds the signed head (event #{}): the log up to it was rewritten",
                parsed.seq
            )),
            HeadAt::Missing => Some(format!(
                "the signed head (event #{}) is gone: events up to it were removed from the end of the chain",
                parsed.seq
            )),
        })
    }

    fn check_anchor(
        &self,
        body: &str,
        signature: Option<&str>,
        public: Option<&str>,
        register: &[String],
    ) -> Result<AnchorCheck> {
        let parsed: CheckpointBody = serde_json::from_str(body)
            .map_err(|e| Error::invalid("anchor", format!("the anchor file's checkpoint cannot be read: {e}")))?;
        let problem = match signature {
            Some(signature) => self.check_checkpoint(body, signature, public, register)?,
            None => Some("the anchor carries no signature".into()),
        };
        Ok(AnchorCheck { at: parsed.at, seq: parsed.seq, ok: problem.is_none(), problem })
    }

    /// The register's own id (made with the database; a copy gets a new one, see desk/register_files.rs).
    pub fn register_id(&self) -> Result<String> {
        self.store.setting("register.id")?.ok_or_else(|| Error::Corrupt("the register has no id".into()))
    }

    /// This register's id and those of the registers it was copied from: their checkpoints up to the copy are its
    /// own history too.
    fn lineage(&self) -> Result<Vec<String>> {
        let mut ids = vec![self.register_id()?];
        let copies = self.store.read(|rd| rd.register_event_data("register_copied"))?;
        ids.extend(copies.iter().filter_map(|d| d["from_id"].as_str().map(str::to_string)));
        Ok(ids)
    }

    /// The id the signing key is bound to: the register's id when the key was made (a copy keeps its original's).
    fn key_register(&self) -> Result<String> {
        match self.store.setting("audit.key.register")? {
            Some(id) => Ok(id),
            None => self.register_id(),
        }
    }

    pub fn audit_key_status(&self) -> Result<AuditKeyStatus> {
        let public = self.store.setting("audit.key.public")?;
        let storage = self.store.setting("audit.key.storage")?;
        let stored = self.store.read(|rd| rd.checkpoints())?;
        Ok(AuditKeyStatus {
            set_up: public.is_some(),
            storage,
            unlocked: public.is_some() && self.signing_key().ok().flatten().is_some(),
            fingerprint: public.as_deref().map(signing::fingerprint),
            checkpoints: stored.len() as u64,
            newest: stored.last().and_then(|cp| info(cp).ok()),
        })
    }

    /// Make the register's signing key: in the OS keyring, or sealed with `passphrase` (required where there is no
    /// keyring). Records the public key as an event of the register and signs the first checkpoint.
    pub fn set_up_audit_key(&self, passphrase: Option<&str>) -> Result<AuditKeyStatus> {
        if self.store.setting("audit.key.public")?.is_some() {
            return Err(Error::refused("the register already has a signing key"));
        }
        let register = self.register_id()?;
        let key = SigningKey::generate()?;
        let public = key.public_hex();
        let sealed = match passphrase {
            Some(p) => Some(signing::seal(&key, p, context(&register, &public).as_bytes())?),
            None => {
                keyring_entry(&register)?.set_password(&key.seed_hex()).map_err(|e| {
                    Error::invalid(
                        "passphrase",
                        format!("the OS keyring refused the key ({e}): give a passphrase to seal it instead"),
                    )
                })?;
                None
            }
        };
        let storage = if sealed.is_some() { "passphrase" } else { "keyring" };
        let at = store::timestamp(self.now());
        self.store.write(|tx| {
            tx.set_setting("audit.key.public", &public)?;
            tx.set_setting("audit.key.storage", storage)?;
            tx.set_setting("audit.key.register", &register)?;
            if let Some(sealed) = &sealed {
                let text = serde_json::to_string(sealed).map_err(|e| Error::Corrupt(e.to_string()))?;
                tx.set_setting("audit.key.sealed", &text)?;
            }
            let created = ev::SigningKeyCreated {
                public_key: public.clone(),
                fingerprint: signing::fingerprint(&public),
                storage: storage.to_string(),
            };
            super::write::append_register(tx, &at, &self.actor, &AuditEvent::SigningKeyCreated(created))?;
            Ok(())
        })?;
        *self.signing.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(key));
        self.checkpoint("signing key set up")?;
        self.audit_key_status()
    }

    /// Open a sealed key for this session (the window asks once).
    pub fn unlock_audit_key(&self, passphrase: &str) -> Result<AuditKeyStatus> {
        let key = self.open_sealed(passphrase)?;
        *self.signing.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(key));
        self.audit_key_status()
    }

    fn open_sealed(&self, passphrase: &str) -> Result<SigningKey> {
        let public =
            self.store.setting("audit.key.public")?.ok_or_else(|| Error::refused("no signing key is set up"))?;
        let sealed: Sealed = self
            .store
            .setting("audit.key.sealed")?
            .and_then(|t| serde_json::from_str(&t).ok())
            .ok_or_else(|| Error::refused("the signing key is not sealed with a passphrase"))?;
        let key = signing::open(&sealed, passphrase, context(&self.key_register()?, &public).as_bytes())?;
        same_key(&key, &public)?;
        Ok(key)
    }

    /// The key that signs checkpoints, if it can be had without asking: opened this session, from the keyring, or
    /// with the passphrase in RIGHTSDESK_AUDIT_PASSPHRASE. None when no key is set up or it is locked.
    fn signing_key(&self) -> Result<Option<Arc<SigningKey>>> {
        if let Some(key) = self.signing.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            return Ok(Some(key));
        }
        let Some(public) = self.store.setting("audit.key.public")? else { return Ok(None) };
        let key = match self.store.setting("audit.key.storage")?.as_deref() {
            Some("keyring") => match keyring_entry(&self.key_register()?).and_then(|entry| {
                entry.get_password().map_err(|e| Error::invalid("key", format!("the OS keyring: {e}")))
            }) {
                Ok(seed) => {
                    let key = SigningKey::from_seed_hex(&seed)?;
                    same_key(&key, &public)?;
                    key
                }
                Err(_) => return Ok(None),
            },
            _ => match std::env::var(PASSPHRASE_ENV) {
                Ok(p) => self.open_sealed(&p)?,
                Err(_) => return Ok(None),
            },
        };
        let key = Arc::new(key);
        *self.signing.lock().unwrap_or_else(|p| p.into_inner()) = Some(key.clone());
        Ok(Some(key))
    }

    /// Sign the chain's head now, if the key is at hand (None: no key set up, or it is locked).
    pub fn checkpoint(&self, reason: &str) -> Result<Option<CheckpointInfo>> {
        let Some(key) = self.signing_key()? else { return Ok(None) };
        let register = self.register_id()?;
        let at = store::timestamp(self.now());
        let cp = self.store.write(|tx| {
            let (seq, hash, events) = tx.chain_head()?;
            let body = CheckpointBody {
                format: BODY_FORMAT.into(),
                register: register.clone(),
                seq,
                hash,
                events,
                at: at.clone(),
                key: key.public_hex(),
            };
            let text = serde_json::to_string(&body).map_err(|e| Error::Corrupt(e.to_string()))?;
            let signature = key.sign_hex(text.as_bytes());
            tx.insert_checkpoint(&at, reason, &text, &signature)?;
            Ok(StoredCheckpoint { id: 0, at: at.clone(), reason: reason.into(), body: text, signature })
        })?;
        Ok(Some(info(&cp)?))
    }

    /// The day's checkpoint, unless one was signed today already or the key is locked (the shell's housekeeping).
    pub fn daily_checkpoint(&self) -> Result<Option<CheckpointInfo>> {
        let today = crate::dates::fmt(self.today());
        let newest = self.store.read(|rd| rd.checkpoints())?.pop();
        if newest.is_some_and(|cp| cp.at.starts_with(&today)) {
            return Ok(None);
        }
        self.checkpoint("daily")
    }

    /// Sign the head now and write it to `out` as an anchor to keep outside the register (a USB key, an email to
    /// oneself); `audit verify --anchor FILE` checks the register against it later.
    pub fn export_anchor(&self, out: &Path, existing: Existing) -> Result<CheckpointInfo> {
        // The target is claimed first: a name that is taken is refused before anything is signed.
        let mut output = Output::create(out, existing)?;
        let signed = self.checkpoint("anchor exported")?;
        if signed.is_none() {
            return Err(Error::refused(if self.store.setting("audit.key.public")?.is_some() {
                format!("the signing key is locked: unlock it in the window, or set {PASSPHRASE_ENV}")
            } else {
                "no signing key is set up: run `rightsdesk audit key setup` first".to_string()
            }));
        }
        let (cp, text) = self.newest_anchor()?.ok_or_else(|| Error::Corrupt("no checkpoint".into()))?;
        std::io::Write::write_all(output.file(), &text)
            .map_err(|e| Error::io(format!("cannot write {}", out.display()), e))?;
        output.commit()?;
        info(&cp)
    }

    /// The newest checkpoint as an anchor file's bytes (what an evidence pack carries), if there is one.
    pub(super) fn newest_anchor(&self) -> Result<Option<(StoredCheckpoint, Vec<u8>)>> {
        let Some(cp) = self.store.read(|rd| rd.checkpoints())?.pop() else { return Ok(None) };
        let parsed: CheckpointBody = serde_json::from_str(&cp.body).map_err(|e| Error::Corrupt(e.to_string()))?;
        let anchor = json!({
            "format": ANCHOR_FORMAT,
            "checkpoint": cp.body,
            "signature": cp.signature,
            "fingerprint": signing::fingerprint(&parsed.key),
            "note": "The head of a Rightsdesk audit chain, signed. Keep this file outside the register; \
                     `rightsdesk audit verify --anchor FILE` checks that the register still holds this head.",
        });
        let text = serde_json::to_vec_pretty(&anchor).map_err(|e| Error::Corrupt(e.to_string()))?;
        Ok(Some((cp, text)))
    }
}

fn info(cp: &StoredCheckpoint) -> Result<CheckpointInfo> {
    let body: CheckpointBody = serde_json::from_str(&cp.body).map_err(|e| Error::Corrupt(e.to_string()))?;
    Ok(CheckpointInfo {
        at: cp.at.clone(),
        reason: cp.reason.clone(),
        seq: body.seq,
        hash: body.hash,
        key: signing::fingerprint(&body.key),
    })
}

/// An anchor file's signed checkpoint and signature (bounded: an anchor is a few hundred bytes).
fn read_anchor(path: &Path) -> Result<(String, Option<String>)> {
    use std::io::Read;
    let bad = |m: String| Error::invalid("anchor", m);
    let file = std::fs::File::open(path).map_err(|e| Error::io(format!("cannot read {}", path.display()), e))?;
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(bad(format!("{} is not a regular file", path.display())));
    }
    let mut text = String::new();
    file.take(64 * 1024 + 1)
        .read_to_string(&mut text)
        .map_err(|e| bad(format!("{} is not an anchor file: {e}", path.display())))?;
    if text.len() > 64 * 1024 {
        return Err(bad(format!("{} is too large to be an anchor file", path.display())));
    }
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("{} is not an anchor file: {e}", path.display())))?;
    if value["format"] != ANCHOR_FORMAT {
        return Err(bad(format!("{} is not a Rightsdesk anchor file", path.display())));
    }
    let body = value["checkpoint"].as_str().ok_or_else(|| bad("the anchor file has no checkpoint".into()))?;
    Ok((body.to_string(), value["signature"].as_str().map(str::to_string)))
}

/// What a sealed key is bound to.
fn context(register: &str, public: &str) -> String {
    format!("rightsdesk audit key|{register}|{public}")
}

fn same_key(key: &SigningKey, public: &str) -> Result<()> {
    if key.public_hex() == public {
        Ok(())
    } else {
        Err(Error::Corrupt(
            "the signing key found does not match the register's public key: the key or the register was replaced"
                .into(),
        ))
    }
}

fn keyring_entry(register: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(KEYRING_SERVICE, register).map_err(|e| {
        Error::invalid(
            "passphrase",
            format!("this machine has no OS keyring ({e}): give a passphrase to seal the signing key instead"),
        )
    })
}

impl Desk {
    /// The register's own chained events, newest first: changes to settings (organisation, SMTP, templates, the
    /// data map, calendar, retention, identity periods, authorities, senders), the signing key, copies, repairs.
    pub fn register_history(&self, limit: u32) -> Result<Vec<store::Event>> {
        if !(1..=500).contains(&limit) {
            return Err(Error::invalid("limit", format!("{limit}: between 1 and 500 events can be listed")));
        }
        self.store.read(|r| r.recent_register_events(limit))
    }

    pub fn verify_audit(&self) -> Result<ChainReport> {
        self.verify_audit_with(None)
    }
}
