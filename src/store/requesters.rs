//! Requester records, the links between requests that look alike, and blocked sender addresses.

use rusqlite::params;
use serde::{Deserialize, Serialize};
use time::Date;

use super::RequestRow;
use super::requests::{ROW_COLUMNS, to_row};
use super::sqlite::{Reader, Tx};
use super::value::Cells;
use crate::dates;
use crate::domain::{Request, RequestKind};
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RequesterRecord {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub account: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A decision about two requests: `duplicate` (this one was merged into the other), `linked` or `separate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RequestLink {
    /// The other request.
    pub reference: String,
    pub relation: String,
    /// True when this request is the one that was merged (for `duplicate`) or that recorded the decision.
    pub from_here: bool,
    pub note: Option<String>,
    pub at: String,
    pub actor: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BlockedSender {
    pub email: String,
    pub reason: String,
    pub blocked_at: String,
    pub actor: String,
}

/// A phone number as compared: its digits, with the leading + kept.
pub fn normalise_phone(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 5 {
        return None;
    }
    Some(if phone.trim_start().starts_with('+') { format!("+{digits}") } else { digits })
}

pub(super) const REQUESTER_COLUMNS: &str = "id, name, email, phone, address, account, created_at, updated_at";

pub(super) fn to_requester(r: &impl Cells) -> Result<RequesterRecord> {
    Ok(RequesterRecord {
        id: r.col(0)?,
        name: r.col(1)?,
        email: r.col(2)?,
        phone: r.col(3)?,
        address: r.col(4)?,
        account: r.col(5)?,
        created_at: r.col(6)?,
        updated_at: r.col(7)?,
    })
}

/// Columns: the other request's reference, relation, whether this request holds the decision, note, at, actor.
pub(super) fn to_link(r: &impl Cells) -> Result<RequestLink> {
    Ok(RequestLink {
        reference: r.col(0)?,
        relation: r.col(1)?,
        from_here: r.col(2)?,
        note: r.col(3)?,
        at: r.col(4)?,
        actor: r.col(5)?,
    })
}

/// Columns: email, reason, blocked_at, actor.
pub(super) fn to_blocked(r: &impl Cells) -> Result<BlockedSender> {
    Ok(BlockedSender { email: r.col(0)?, reason: r.col(1)?, blocked_at: r.col(2)?, actor: r.col(3)? })
}

impl Tx<'_> {
    /// The record of the person who sent `r`: found by email, else phone, else account reference (filling in what
    /// it lacked), or created. Returns its id.
    pub fn resolve_requester(&self, r: &Request, now: &str) -> Result<String> {
        let who = &r.requester;
        let phone = who.phone.as_deref().and_then(normalise_phone);
        let keys: Vec<(&'static str, String)> =
            [("email", who.email.clone()), ("phone", phone.clone()), ("account", who.account.clone())]
                .into_iter()
                .filter_map(|(col, v)| v.map(|v| (col, v)))
                .collect();
        let mut found = None;
        for (col, v) in &keys {
            found = self.requester_id_by(col, v)?;
            if found.is_some() {
                break;
            }
        }
        if let Some(id) = found {
            self.tx
                .prepare_cached(
                    "UPDATE requesters SET email = coalesce(email, ?2), phone = coalesce(phone, ?3),
                        address = coalesce(?4, address), account = coalesce(account, ?5), updated_at = ?6
                     WHERE id = ?1",
                )?
                .execute(params![id, who.email, phone, who.address, who.account, now])?;
            self.requester_gained(&keys, &id, false);
            return Ok(id);
        }
        let id = uuid::Uuid::now_v7().to_string();
        self.tx
            .prepare_cached(
                "INSERT INTO requesters (id, name, email, phone, address, account, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            )?
            .execute(params![id, who.name, who.email, phone, who.address, who.account, now])?;
        self.requester_gained(&keys, &id, true);
        Ok(id)
    }

    /// The id of the record a lookup by `column` finds, remembered during a bulk.
    fn requester_id_by(&self, column: &'static str, value: &str) -> Result<Option<String>> {
        let key = (column, value.to_string());
        if let Some(known) = self.bulk.borrow().as_ref().and_then(|b| b.requesters.get(&key)) {
            return Ok(known.clone());
        }
        let reader = self.reader();
        // Most lookups of an import find nobody: asked first without the ordering, whose statement SQLite
        // re-prepares for every new value bound to it.
        let id = if reader.requester_exists_by(column, value)? {
            reader.requester_by(column, value)?.map(|p| p.id)
        } else {
            None
        };
        if let Some(bulk) = self.bulk.borrow_mut().as_mut() {
            bulk.requesters.insert(key, id.clone());
        }
        Ok(id)
    }

    /// Record `id` may now hold `keys` (a new record holds them all; an updated one filled in those it lacked):
    /// what the bulk remembers stays only where the query would still answer the same.
    fn requester_gained(&self, keys: &[(&'static str, String)], id: &str, created: bool) {
        let mut bulk = self.bulk.borrow_mut();
        let Some(bulk) = bulk.as_mut() else { return };
        for key in keys {
            match bulk.requesters.get(key) {
                // Nobody held the value: now exactly this new record does.
                Some(None) if created => {
                    bulk.requesters.insert(key.clone(), Some(id.to_string()));
                }
                Some(Some(holder)) if holder == id => {}
                // Perhaps a second holder, or perhaps not filled in (it had another value): ask the next time.
                _ => {
                    bulk.requesters.remove(key);
                }
            }
        }
    }

    /// Delete a requester record no request points to any more (after a purge, or a corrected contact detail).
    pub fn forget_requester_if_unused(&self, requester_id: &str) -> Result<()> {
        self.forget_bulk_lookups();
        self.tx.execute(
            "DELETE FROM requesters WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM requests WHERE requester_id = ?1)",
            [requester_id],
        )?;
        Ok(())
    }

    pub fn set_link(
        &self,
        request_id: &str,
        other_id: &str,
        relation: &str,
        note: Option<&str>,
        at: &str,
        actor: &str,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO request_links (request_id, other_id, relation, note, at, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (request_id, other_id) DO UPDATE SET relation = ?3, note = ?4, at = ?5, actor = ?6",
            )?
            .execute(params![request_id, other_id, relation, note, at, actor])?;
        Ok(())
    }

    /// Remove the decision between two requests, either way round.
    pub fn remove_link(&self, a: &str, b: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "DELETE FROM request_links WHERE (request_id = ?1 AND other_id = ?2) OR (request_id = ?2 AND other_id = ?1)",
            )?
            .execute(params![a, b])?;
        Ok(())
    }

    /// A merged request taken back: it is no longer anyone's duplicate.
    pub fn remove_duplicate_links(&self, request_id: &str) -> Result<()> {
        self.tx
            .prepare_cached("DELETE FROM request_links WHERE request_id = ?1 AND relation = 'duplicate'")?
            .execute([request_id])?;
        Ok(())
    }

    pub fn block_sender(&self, email: &str, reason: &str, at: &str, actor: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO blocked_senders (email, reason, blocked_at, actor) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (email) DO UPDATE SET reason = ?2, blocked_at = ?3, actor = ?4",
            )?
            .execute(params![email, reason, at, actor])?;
        Ok(())
    }

    pub fn unblock_sender(&self, email: &str) -> Result<bool> {
        Ok(self.tx.prepare_cached("DELETE FROM blocked_senders WHERE email = ?1")?.execute([email])? > 0)
    }
}

impl Reader<'_> {
    fn requester_by(&self, column: &str, value: &str) -> Result<Option<RequesterRecord>> {
        // Made once: an import looks requesters up for every row.
        static SQL: std::sync::LazyLock<Vec<(&str, String)>> = std::sync::LazyLock::new(|| {
            ["id", "email", "phone", "account"]
                .into_iter()
                .map(|c| {
                    (
                        c,
                        format!(
                            "SELECT {REQUESTER_COLUMNS} FROM requesters WHERE {c} = ?1 ORDER BY created_at LIMIT 1"
                        ),
                    )
                })
                .collect()
        });
        let sql = SQL
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, sql)| sql)
            .ok_or_else(|| crate::error::Error::Database(format!("requesters have no key '{column}'")))?;
        self.conn.prepare_cached(sql)?.query_and_then([value], |r| to_requester(r))?.next().transpose()
    }

    fn requester_exists_by(&self, column: &str, value: &str) -> Result<bool> {
        let sql = match column {
            "email" => "SELECT EXISTS (SELECT 1 FROM requesters WHERE email = ?1)",
            "phone" => "SELECT EXISTS (SELECT 1 FROM requesters WHERE phone = ?1)",
            "account" => "SELECT EXISTS (SELECT 1 FROM requesters WHERE account = ?1)",
            _ => return Err(crate::error::Error::Database(format!("requesters have no key '{column}'"))),
        };
        Ok(self.conn.prepare_cached(sql)?.query_row([value], |r| r.get(0))?)
    }

    pub fn requester(&self, id: &str) -> Result<Option<RequesterRecord>> {
        self.requester_by("id", id)
    }

    /// The person's requests, newest first.
    pub fn requester_history(&self, requester_id: &str, limit: u32) -> Result<Vec<RequestRow>> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM requests WHERE requester_id = ?1 ORDER BY received DESC, rowid DESC LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(stmt.query_map(params![requester_id, limit], to_row)?.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Other requests of the same person received from `since` to `until` (repeats), oldest first.
    pub fn requests_of_between(
        &self,
        requester_id: &str,
        since: Date,
        until: Date,
        except: &str,
    ) -> Result<Vec<RequestRow>> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM requests WHERE requester_id = ?1 AND received >= ?2 AND received <= ?3 AND id <> ?4
             ORDER BY received, rowid LIMIT 200"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(stmt
            .query_map(params![requester_id, dates::fmt(since), dates::fmt(until), except], to_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Open requests of the same person and kind (the likely duplicates), oldest first.
    pub fn open_of_kind(&self, requester_id: &str, kind: RequestKind, except: &str) -> Result<Vec<RequestRow>> {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM requests WHERE requester_id = ?1 AND kind = ?2 AND is_open = 1 AND id <> ?3
             ORDER BY received, rowid LIMIT 50"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        Ok(stmt.query_map(params![requester_id, kind.id(), except], to_row)?.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The decisions recorded about this request and others, either way round.
    pub fn links(&self, request_id: &str) -> Result<Vec<RequestLink>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.reference, l.relation, l.request_id = ?1, l.note, l.at, l.actor
             FROM request_links l JOIN requests r ON r.id = CASE WHEN l.request_id = ?1 THEN l.other_id ELSE l.request_id END
             WHERE l.request_id = ?1 OR l.other_id = ?1 ORDER BY l.at",
        )?;
        stmt.query_and_then([request_id], |r| to_link(r))?.collect()
    }

    pub fn blocked_sender(&self, email: &str) -> Result<Option<BlockedSender>> {
        self.conn
            .prepare_cached("SELECT email, reason, blocked_at, actor FROM blocked_senders WHERE email = ?1")?
            .query_and_then([email], |r| to_blocked(r))?
            .next()
            .transpose()
    }

    pub fn blocked_senders(&self) -> Result<Vec<BlockedSender>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT email, reason, blocked_at, actor FROM blocked_senders ORDER BY email")?;
        stmt.query_and_then([], |r| to_blocked(r))?.collect()
    }
}

#[cfg(test)]
mod tests {
    use super::normalise_phone;

    #[test]
    fn phones_compare_by_digits() {
        assert_eq!(normalise_phone("+44 20 7946-0000").as_deref(), Some("+442079460000"));
        assert_eq!(normalise_phone("020 7946 0000").as_deref(), Some("02079460000"));
        assert_eq!(normalise_phone("12"), None);
    }
}
