//! Identity checks and the evidence seen for them (the files live in the managed evidence folder).

use rusqlite::params;
use time::Date;
use uuid::Uuid;

use super::sqlite::{Reader, Tx};
use super::value::Cells;
use crate::dates;
use crate::domain::{CheckOutcome, Evidence, IdentityCheck, Party, VerificationMethod};
use crate::error::{Error, Result};

pub(super) fn corrupt(what: &str, value: &str) -> Error {
    Error::Corrupt(format!("bad {what} '{value}' in identity_checks"))
}

/// Columns: `EVIDENCE_COLUMNS`, in order.
pub(super) fn to_evidence(r: &impl Cells) -> Result<(String, Evidence)> {
    let purged: Option<String> = r.col(8)?;
    Ok((
        r.col(1)?,
        Evidence {
            id: r.col(0)?,
            check_id: r.col(2)?,
            file_name: r.col(3)?,
            stored_name: r.col(4)?,
            sha256: r.col(5)?,
            size: r.col(6)?,
            added_at: r.col(7)?,
            purged_on: purged.and_then(|p| dates::parse(&p).ok()),
        },
    ))
}

pub(super) const CHECK_COLUMNS: &str = "id, party, method, outcome, checked_on, note, recorded_at, actor";

/// Columns: `CHECK_COLUMNS`; the evidence is added by the caller.
pub(super) fn to_check(r: &impl Cells) -> Result<IdentityCheck> {
    let (party, method, outcome, on): (String, String, String, String) = (r.col(1)?, r.col(2)?, r.col(3)?, r.col(4)?);
    Ok(IdentityCheck {
        party: Party::parse(&party).ok_or_else(|| corrupt("party", &party))?,
        method: VerificationMethod::parse(&method).ok_or_else(|| corrupt("method", &method))?,
        outcome: CheckOutcome::parse(&outcome).ok_or_else(|| corrupt("outcome", &outcome))?,
        checked_on: dates::parse(&on).map_err(|_| corrupt("checked_on", &on))?,
        id: r.col(0)?,
        note: r.col(5)?,
        recorded_at: r.col(6)?,
        actor: r.col(7)?,
        evidence: Vec::new(),
    })
}

/// Put each piece of evidence with its check (a request's evidence in the order it was added).
pub(super) fn attach_evidence(checks: &mut [IdentityCheck], evidence: impl IntoIterator<Item = Evidence>) {
    for e in evidence {
        if let Some(c) = checks.iter_mut().find(|c| c.id == e.check_id) {
            c.evidence.push(e);
        }
    }
}

pub(super) const EVIDENCE_COLUMNS: &str =
    "id, request_id, check_id, file_name, stored_name, sha256, size, added_at, purged_on";

impl Tx<'_> {
    pub fn insert_identity_check(&self, request_id: &Uuid, c: &IdentityCheck) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO identity_checks (id, request_id, party, method, outcome, checked_on, note, recorded_at, actor)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                c.id,
                request_id.to_string(),
                c.party.id(),
                c.method.id(),
                c.outcome.id(),
                dates::fmt(c.checked_on),
                c.note,
                c.recorded_at,
                c.actor
            ])?;
        for e in &c.evidence {
            self.tx
                .prepare_cached(&format!(
                    "INSERT INTO evidence ({EVIDENCE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL)"
                ))?
                .execute(params![
                    e.id,
                    request_id.to_string(),
                    c.id,
                    e.file_name,
                    e.stored_name,
                    e.sha256,
                    e.size,
                    e.added_at
                ])?;
        }
        Ok(())
    }

    pub fn mark_evidence_purged(&self, evidence_id: &str, on: Date) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE evidence SET purged_on = ?2 WHERE id = ?1 AND purged_on IS NULL")?
            .execute(params![evidence_id, dates::fmt(on)])?;
        Ok(())
    }
}

impl Reader<'_> {
    /// The checks of a request, oldest first, each with its evidence.
    pub fn identity_checks(&self, request_id: &Uuid) -> Result<Vec<IdentityCheck>> {
        let id = request_id.to_string();
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CHECK_COLUMNS} FROM identity_checks WHERE request_id = ?1 ORDER BY recorded_at, id"
        ))?;
        let mut checks = stmt.query_and_then([&id], |r| to_check(r))?.collect::<Result<Vec<_>>>()?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE request_id = ?1 ORDER BY added_at, id"
        ))?;
        let evidence = stmt.query_and_then([&id], |r| to_evidence(r))?.collect::<Result<Vec<_>>>()?;
        attach_evidence(&mut checks, evidence.into_iter().map(|(_, e)| e));
        Ok(checks)
    }

    /// Evidence still on disk for requests that stopped being open on or before `closed_by` (an RFC 3339 prefix
    /// comparison: `closed_at` is stored as RFC 3339 UTC), or for one request whatever its date.
    pub fn evidence_to_purge(&self, closed_by: Date, request: Option<&Uuid>) -> Result<Vec<(String, Evidence)>> {
        let cols = EVIDENCE_COLUMNS.split(", ").map(|c| format!("e.{c}")).collect::<Vec<_>>().join(", ");
        let (sql, arg) = match request {
            Some(id) => (
                format!(
                    "SELECT {cols} FROM evidence e JOIN requests r ON r.id = e.request_id
                     WHERE e.purged_on IS NULL AND r.id = ?1 AND r.is_open = 0 ORDER BY e.request_id, e.added_at"
                ),
                id.to_string(),
            ),
            None => (
                format!(
                    "SELECT {cols} FROM requests r JOIN evidence e ON e.request_id = r.id
                     WHERE r.closed_at IS NOT NULL AND r.closed_at < ?1 AND r.is_open = 0 AND e.purged_on IS NULL
                     ORDER BY e.request_id, e.added_at"
                ),
                // Closed on `closed_by` or earlier: before the start of the next day.
                dates::fmt(closed_by.next_day().unwrap_or(closed_by)),
            ),
        };
        let mut stmt = self.conn.prepare(&sql)?;
        stmt.query_and_then([arg], |r| to_evidence(r))?.collect()
    }
}
