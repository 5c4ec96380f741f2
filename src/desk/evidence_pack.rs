//! The evidence pack for a regulator's inquiry: for a chosen set of requests, one ZIP with their lines of the
//! request log, every letter and email sent (PDF, .eml), each request's audit trail exactly as chained with the
//! result of the hash-chain check, a script that recomputes the hashes, and a SHA-256 manifest.

use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::json;
use time::Date;

use super::Desk;
use crate::dates;
use crate::domain::event::{self as ev, AuditEvent};
use crate::error::{Error, Result};
use crate::export::archive::Archive;
use crate::export::log::HEADERS;
use crate::export::{CsvOut, LogRow};
use crate::respond::STAGES;
use crate::safe_file::{Existing, Output};
use crate::store::{self, Attachment};

pub const FORMAT: &str = "rightsdesk-evidence-pack/1";
/// More than this is not an inquiry about particular requests but the whole register (use the request log).
pub const MAX_REQUESTS: usize = 10_000;

/// Which requests go in: by reference, or every request received in a period (spam aside).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "by", rename_all = "kebab-case")]
pub enum PackSelection {
    References { references: Vec<String> },
    Period { from: String, to: String },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct EvidencePack {
    pub path: String,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub requests: u64,
    /// Letters and emails included.
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub correspondence: u64,
    #[cfg_attr(feature = "specta", specta(type = specta_typescript::Number))]
    pub bytes: u64,
    pub sha256: String,
    /// The whole audit chain held when the pack was made.
    pub chain_ok: bool,
}

impl Desk {
    /// Write the evidence pack for `selection` to `out`.
    pub fn export_evidence(&self, selection: &PackSelection, out: &Path, existing: Existing) -> Result<EvidencePack> {
        let (references, from, to) = self.pack_requests(selection)?;
        let today = self.today();
        let generated_at = store::timestamp(self.now());
        let mut output = Output::create(out, existing)?;
        let mut archive = Archive::create(output.handle()?, out, None, &generated_at)?;

        // The log lines of the chosen requests, streamed from the same query as the regulator's log.
        let mut log = CsvOut::new(vec![]);
        let csv_error = |e: csv::Error| Error::Export(format!("the request log: {e}"));
        log.write_record(HEADERS).map_err(csv_error)?;
        self.store.read(|rd| {
            rd.each_log_record(from, to, &mut |record| {
                if references.contains(&record.reference) {
                    log.write_record(LogRow::from_record(&record, today).cells()).map_err(csv_error)?;
                }
                Ok(())
            })
        })?;
        let log = log.into_inner().map_err(|e| Error::Export(format!("the request log: {e}")))?;
        archive.bytes("request-log.csv", &log)?;

        // The pack carries a checkpoint signed now (if the key is at hand), so the inquiry can hold the register
        // to the head it saw.
        self.checkpoint("evidence pack")?;
        if let Some((_, anchor)) = self.newest_anchor()? {
            archive.bytes("checkpoint.json", &anchor)?;
        }
        let chain = self.verify_audit()?;
        let mut per_request = vec![];
        let mut correspondence = 0u64;
        for reference in &references {
            let (r, events, attachments) = self.store.read(|rd| {
                let r = rd.request(reference)?;
                let events = rd.chained_events(&r.id)?;
                let attachments = rd.attachments(&r.id)?;
                Ok((r, events, attachments))
            })?;
            let dir = format!("requests/{}", crate::export::archive::component(&r.reference));
            let sent_emails: BTreeSet<String> = events
                .iter()
                .filter(|e| e.kind == "response_sent")
                .filter_map(|e| serde_json::from_str::<serde_json::Value>(&e.data).ok())
                .filter_map(|d| d["eml"].as_str().map(str::to_string))
                .collect();
            let mut listed = vec![];
            for a in &attachments {
                let sent = sent_emails.contains(&a.file_name) || is_letter(&r.reference, &a.file_name);
                let mut path = None;
                if sent {
                    let name = archive.name(&format!("{dir}/correspondence"), &a.file_name);
                    self.copy_attachment(&mut archive, a, &name)?;
                    correspondence += 1;
                    path = Some(name);
                }
                listed.push(json!({"file_name": a.file_name, "sha256": a.sha256, "size": a.size,
                                   "added_at": a.added_at, "in_pack": path}));
            }
            let recomputed = events.iter().filter(|e| e.recomputes()).count();
            let trail = json!({
                "reference": r.reference,
                "hash": "SHA-256 over prev_hash, id, request_id, at, actor, kind, data (where a state is present: the \
                         SHA-256 of data, then the state): each as its length in bytes (8 bytes, little-endian) then \
                         its UTF-8 text; see verify_chain.py",
                "events": events,
            });
            archive.bytes(&format!("{dir}/audit-trail.json"), &to_json(&trail)?)?;
            archive.bytes(&format!("{dir}/attachments.json"), &to_json(&listed)?)?;
            per_request.push(json!({"reference": r.reference, "events": events.len(),
                                    "events_whose_hash_recomputes": recomputed,
                                    "ok": recomputed == events.len() && chain.ok}));
        }
        let check = json!({
            "checked_at": generated_at,
            "whole_chain": chain,
            "requests": per_request,
        });
        archive.bytes("chain-check.json", &to_json(&check)?)?;
        archive.bytes("verify_chain.py", VERIFY_SCRIPT.as_bytes())?;
        let org = self.organisation()?.name;
        let readme = readme(&org, &generated_at, selection, &references, correspondence, chain.ok);
        archive.bytes("README.txt", readme.as_bytes())?;
        // Flushed into the file by `finish`, so the hash below reads the whole archive.
        let (written, _) = archive.finish(FORMAT)?;

        let sha256 = output.sha256()?;
        let pack = EvidencePack {
            path: out.display().to_string(),
            requests: references.len() as u64,
            correspondence,
            bytes: written.bytes,
            sha256,
            chain_ok: chain.ok,
        };
        let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let now = store::timestamp(self.now());
        output.commit_then(|| {
            self.store.write(|tx| {
                for reference in &references {
                    let r = tx.request(reference)?;
                    let made = ev::EvidencePackMade {
                        file_name: name.clone(),
                        sha256: pack.sha256.clone(),
                        requests: pack.requests,
                    };
                    self.append(tx, &r.id, &now, &AuditEvent::EvidencePackMade(made))?;
                }
                Ok(())
            })
        })?;
        Ok(pack)
    }

    /// The references chosen, sorted, and the period of receipt that holds them all.
    fn pack_requests(&self, selection: &PackSelection) -> Result<(BTreeSet<String>, Date, Date)> {
        let mut references = BTreeSet::new();
        let (mut from, mut to) = (Date::MAX, Date::MIN);
        match selection {
            PackSelection::References { references: given } => {
                for reference in given.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
                    let r = self.store.read(|rd| rd.request(reference))?;
                    from = from.min(r.received);
                    to = to.max(r.received);
                    references.insert(r.reference);
                }
            }
            PackSelection::Period { from: f, to: t } => {
                (from, to) = (super::clock::date("from", f)?, super::clock::date("to", t)?);
                if from > to {
                    return Err(Error::invalid("from", format!("{} is after {}", dates::fmt(from), dates::fmt(to))));
                }
                self.store.read(|rd| {
                    rd.each_log_record(from, to, &mut |record| {
                        references.insert(record.reference);
                        if references.len() > MAX_REQUESTS {
                            return Err(too_many());
                        }
                        Ok(())
                    })
                })?;
            }
        }
        if references.is_empty() {
            return Err(Error::invalid("requests", "no request chosen: name the requests or a period that holds some"));
        }
        if references.len() > MAX_REQUESTS {
            return Err(too_many());
        }
        Ok((references, from, to))
    }
}

fn too_many() -> Error {
    Error::invalid(
        "requests",
        format!(
            "an evidence pack holds at most {MAX_REQUESTS} requests: choose a shorter period, or export the request log"
        ),
    )
}

/// A letter Rightsdesk wrote: `<reference>-<stage>-<lang>.pdf`.
fn is_letter(reference: &str, file_name: &str) -> bool {
    file_name
        .strip_prefix(reference)
        .and_then(|rest| rest.strip_prefix('-'))
        .and_then(|rest| rest.strip_suffix(".pdf"))
        .and_then(|rest| rest.rsplit_once('-'))
        .is_some_and(|(stage, lang)| STAGES.iter().any(|(id, _)| *id == stage) && (2..=3).contains(&lang.len()))
}

impl Desk {
    fn copy_attachment<W: std::io::Write + std::io::Seek>(
        &self,
        archive: &mut Archive<'_, W>,
        a: &Attachment,
        name: &str,
    ) -> Result<()> {
        let mut file = self.open_stored(&self.attachments_dir().join(&a.stored_name))?;
        let (sha, _) = archive.stream(name, &mut file, a.size.max(0) as u64, |_| {})?;
        if sha != a.sha256 {
            return Err(Error::invalid(
                "file",
                format!("{} changed on disk since it was recorded (its SHA-256 no longer matches)", a.file_name),
            ));
        }
        Ok(())
    }
}

fn to_json(v: &impl Serialize) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(v).map_err(|e| Error::Export(e.to_string()))
}

fn readme(
    org: &str,
    at: &str,
    selection: &PackSelection,
    references: &BTreeSet<String>,
    correspondence: u64,
    chain_ok: bool,
) -> String {
    let scope = match selection {
        PackSelection::References { .. } => "the requests named when it was made".to_string(),
        PackSelection::Period { from, to } => format!("every request received from {from} to {to}"),
    };
    let list: Vec<&str> = references.iter().map(String::as_str).collect();
    format!(
        "EVIDENCE PACK{org}\n\
         Made {at} by Rightsdesk for {scope}: {n} request(s).\n\
         {list}\n\n\
         WHAT IS IN IT\n\
         - request-log.csv                  one line per request: kind, law, dates, pauses, outcome, days taken, on time\n\
         - requests/<ref>/correspondence/    every letter (PDF) and email (.eml, exactly as sent) of the request ({correspondence} in all)\n\
         - requests/<ref>/audit-trail.json   every change to the request, as recorded, with the hash that chains it\n\
         - requests/<ref>/attachments.json   every file kept with the request (name, size, SHA-256; only correspondence is included)\n\
         - chain-check.json                 the check of the whole audit chain when the pack was made: {chain}\n\
         - checkpoint.json                  the newest signed checkpoint of the chain head (rightsdesk audit verify --anchor)\n\
         - verify_chain.py                  recomputes each event's hash: python3 verify_chain.py (run in this folder)\n\
         - manifest.json                    the size and SHA-256 of every file (check with: sha256sum FILE)\n\n\
         HOW THE AUDIT TRAIL IS PROTECTED\n\
         Every event is chained to the one before it (across all requests) by a SHA-256 hash of its content and the\n\
         previous hash; the database refuses edits and deletions of events. Changing, removing or inserting an event\n\
         breaks the chain from that point, which the check reports.\n",
        org = if org.trim().is_empty() { String::new() } else { format!(" — {}", org.trim()) },
        n = references.len(),
        list = list.join(", "),
        chain = if chain_ok { "it held" } else { "IT WAS BROKEN (see the file)" },
    )
}

const VERIFY_SCRIPT: &str = r#"#!/usr/bin/env python3
"""Recompute the hash of every audit event in this evidence pack (Python 3, no packages needed).

Each event's hash is SHA-256 over prev_hash, id, request_id, at, actor, kind and data, each preceded by its length
in bytes as 8 bytes little-endian. Events recorded from schema 10 on carry a state (the digest of the request's row
after the event): for them the data part is the SHA-256 (hex) of the data, and the state follows it. Consecutive events of a request are usually not consecutive in the chain (other
requests' events sit between them), so links are checked where the previous event is in the pack."""
import glob, hashlib, json, os, sys

def link_hash(e):
    h = hashlib.sha256()
    parts = [e["prev_hash"], e["id"], e["request_id"], e["at"], e["actor"], e["kind"], e["data"]]
    if e.get("state") is not None:
        parts[6] = hashlib.sha256(e["data"].encode("utf-8")).hexdigest()
        parts.append(e["state"])
    for part in parts:
        b = part.encode("utf-8")
        h.update(len(b).to_bytes(8, "little"))
        h.update(b)
    return h.hexdigest()

here = os.path.dirname(os.path.abspath(__file__))
by_seq, bad = {}, 0
for path in sorted(glob.glob(os.path.join(here, "requests", "*", "audit-trail.json"))):
    trail = json.load(open(path, encoding="utf-8"))
    for e in trail["events"]:
        by_seq[e["seq"]] = e
        if link_hash(e) != e["hash"]:
            bad += 1
            print(f"FAIL {trail['reference']} event {e['seq']} ({e['kind']}): its content does not match its hash")
for seq, e in by_seq.items():
    before = by_seq.get(seq - 1)
    if before is not None and before["hash"] != e["prev_hash"]:
        bad += 1
        print(f"FAIL event {seq}: its link does not match event {seq - 1}")
print(f"{len(by_seq)} events checked: " + ("all hashes recompute" if bad == 0 else f"{bad} problem(s)"))
sys.exit(1 if bad else 0)
"#;

#[cfg(test)]
mod tests {
    use super::is_letter;

    #[test]
    fn letters_are_known_by_their_name() {
        assert!(is_letter("RD-2026-0001", "RD-2026-0001-fulfilment-en.pdf"));
        assert!(is_letter("RD-2026-0001", "RD-2026-0001-identity-request-fr.pdf"));
        assert!(!is_letter("RD-2026-0001", "RD-2026-0002-fulfilment-en.pdf"));
        assert!(!is_letter("RD-2026-0001", "RD-2026-0001-scan.pdf"));
        assert!(!is_letter("RD-2026-0001", "RD-2026-0001-fulfilment-en.txt"));
    }
}
