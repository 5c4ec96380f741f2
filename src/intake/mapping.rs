//! Which column of an imported table holds which field of a request, and fixed values for fields the table lacks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A field a row can fill: its id (as the `request add` option), its label, and whether a request needs it.
pub const FIELDS: &[(&str, &str, bool)] = &[
    ("kind", "Kind of request", true),
    ("regime", "Law (regime)", true),
    ("calendar", "Holiday calendar", false),
    ("received", "Date received", true),
    ("name", "Requester's name", true),
    ("email", "Email", false),
    ("phone", "Phone", false),
    ("address", "Postal address", false),
    ("account", "Account reference", false),
    ("channel", "Channel", false),
    ("language", "Language", false),
    ("description", "What was asked", false),
    ("notes", "Notes", false),
    ("external_id", "Id in the source system", false),
];

/// Other header names people use for a field (lower case, separators removed).
const SYNONYMS: &[(&str, &[&str])] = &[
    ("kind", &["type", "requesttype", "right", "requestkind"]),
    ("regime", &["law", "jurisdiction", "regulation"]),
    ("received", &["date", "receivedon", "datereceived", "receiveddate", "receiptdate", "created"]),
    ("name", &["fullname", "requester", "requestername", "subject", "datasubject"]),
    ("email", &["emailaddress", "mail", "requesteremail"]),
    ("phone", &["telephone", "phonenumber", "tel"]),
    ("account", &["accountid", "customerid", "customer", "accountreference"]),
    ("description", &["request", "details", "message", "text"]),
    ("external_id", &["id", "ticket", "ticketid", "case", "caseid", "externalid", "reference"]),
];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct ImportMapping {
    /// Field id → the header of the column that holds it.
    pub columns: BTreeMap<String, String>,
    /// Field id → the value every row gets when its column is absent or empty (e.g. the regime of a whole backlog).
    pub defaults: BTreeMap<String, String>,
}

fn key(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

impl ImportMapping {
    /// Columns named like the fields (or a common synonym) map by name.
    pub fn by_name(headers: &[String]) -> ImportMapping {
        let mut columns = BTreeMap::new();
        for (field, _, _) in FIELDS {
            let wanted = key(field);
            let synonyms = SYNONYMS.iter().find(|(f, _)| f == field).map_or(&[][..], |(_, s)| *s);
            let found = headers
                .iter()
                .find(|h| key(h) == wanted)
                .or_else(|| headers.iter().find(|h| synonyms.contains(&key(h).as_str())));
            if let Some(h) = found.filter(|h| !columns.values().any(|v: &String| v == *h)) {
                columns.insert(field.to_string(), h.clone());
            }
        }
        ImportMapping { columns, defaults: BTreeMap::new() }
    }

    /// Read a mapping file: JSON `{"columns": {"kind": "Type", …}, "defaults": {"regime": "eu-gdpr"}}`.
    pub fn from_json(text: &str) -> Result<ImportMapping> {
        let m: ImportMapping =
            serde_json::from_str(text).map_err(|e| Error::invalid("mapping", format!("not a mapping file: {e}")))?;
        Ok(m)
    }

    /// Every field named exists, every column named is in the table, and each required field is covered.
    pub fn check(&self, headers: &[String]) -> Result<()> {
        for field in self.columns.keys().chain(self.defaults.keys()) {
            if !FIELDS.iter().any(|(f, _, _)| f == field) {
                let known: Vec<&str> = FIELDS.iter().map(|(f, _, _)| *f).collect();
                return Err(Error::invalid(
                    "mapping",
                    format!("unknown field '{field}' (one of: {})", known.join(", ")),
                ));
            }
        }
        for (field, column) in &self.columns {
            if !headers.contains(column) {
                return Err(Error::invalid(
                    "mapping",
                    format!("{field}: the file has no column '{column}' (columns: {})", headers.join(", ")),
                ));
            }
        }
        let missing: Vec<&str> = FIELDS
            .iter()
            .filter(|(f, _, required)| {
                *required && !self.columns.contains_key(*f) && self.defaults.get(*f).is_none_or(|v| v.trim().is_empty())
            })
            .map(|(f, _, _)| *f)
            .collect();
        if !missing.is_empty() {
            return Err(Error::invalid(
                "mapping",
                format!(
                    "no column or fixed value for: {} (name the columns like the fields, or give a mapping)",
                    missing.join(", ")
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_map_by_name_and_synonym() {
        let headers: Vec<String> =
            ["Ticket ID", "Request type", "Date received", "Full name", "E-mail", "Law"].map(String::from).to_vec();
        let m = ImportMapping::by_name(&headers);
        assert_eq!(m.columns["kind"], "Request type");
        assert_eq!(m.columns["received"], "Date received");
        assert_eq!(m.columns["name"], "Full name");
        assert_eq!(m.columns["email"], "E-mail");
        assert_eq!(m.columns["regime"], "Law");
        assert_eq!(m.columns["external_id"], "Ticket ID");
        assert!(m.check(&headers).is_ok());
        let partial = ImportMapping::by_name(&["name".to_string()]);
        let err = partial.check(&["name".to_string()]).unwrap_err().to_string();
        assert!(err.contains("kind, regime, received"), "{err}");
    }
}
