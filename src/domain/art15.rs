//! The information owed with an answer to an access request (GDPR Art 15(1)(a)–(h) and 15(2)), as the organisation
//! words it in Letters… → Organisation. One type for every place that lists it: the organisation's settings, the
//! letter's variables (`art15.*`), what a fulfilment must contain, and the subject export's data.json, index.html and
//! README.txt.

use serde::{Deserialize, Serialize};

/// The organisation's Art 15(1) information. Serialised as its seven fields by name (flattened where it is part of a
/// larger record, so the JSON stays as it was).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct Article15Info {
    pub purposes: String,
    pub categories: String,
    pub recipients: String,
    pub retention: String,
    pub source: String,
    pub automated: String,
    pub transfers: String,
}

/// One field of the Art 15(1) information: its key (setting name, template variable, JSON field), what the law
/// calls it, and whether an access answer must state it (transfers only where there are any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Art15Field {
    pub key: &'static str,
    pub label: &'static str,
    /// The label with where the officer fills it in, for the list of what an answer lacks.
    pub settings_label: &'static str,
    pub required: bool,
}

impl Article15Info {
    /// The fields in the order the law lists them.
    pub const FIELDS: [Art15Field; 7] = [
        Art15Field {
            key: "purposes",
            label: "The purposes",
            settings_label: "The purposes (Letters… → Organisation)",
            required: true,
        },
        Art15Field {
            key: "categories",
            label: "The categories of data",
            settings_label: "The categories of data (Letters… → Organisation)",
            required: true,
        },
        Art15Field {
            key: "recipients",
            label: "The recipients",
            settings_label: "The recipients (Letters… → Organisation)",
            required: true,
        },
        Art15Field {
            key: "retention",
            label: "The retention period",
            settings_label: "The retention period (Letters… → Organisation)",
            required: true,
        },
        Art15Field {
            key: "source",
            label: "The source of the data",
            settings_label: "The source of the data (Letters… → Organisation)",
            required: true,
        },
        Art15Field {
            key: "automated",
            label: "Automated decision-making",
            settings_label: "Automated decision-making (Letters… → Organisation)",
            required: true,
        },
        Art15Field {
            key: "transfers",
            label: "Transfers to third countries",
            settings_label: "Transfers to third countries (Letters… → Organisation)",
            required: false,
        },
    ];

    /// Each field with its value, in the order of [`Self::FIELDS`].
    pub fn fields(&self) -> impl Iterator<Item = (Art15Field, &String)> {
        Self::FIELDS.into_iter().map(move |f| (f, self.slot(f.key)))
    }

    pub fn get(&self, key: &str) -> Option<&String> {
        Self::FIELDS.iter().any(|f| f.key == key).then(|| self.slot(key))
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "purposes" => &mut self.purposes,
            "categories" => &mut self.categories,
            "recipients" => &mut self.recipients,
            "retention" => &mut self.retention,
            "source" => &mut self.source,
            "automated" => &mut self.automated,
            "transfers" => &mut self.transfers,
            _ => return None,
        })
    }

    fn slot(&self, key: &str) -> &String {
        match key {
            "purposes" => &self.purposes,
            "categories" => &self.categories,
            "recipients" => &self.recipients,
            "retention" => &self.retention,
            "source" => &self.source,
            "automated" => &self.automated,
            _ => &self.transfers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_match_the_serialised_keys_in_order() {
        let info = Article15Info {
            purposes: "p".into(),
            categories: "c".into(),
            recipients: "r".into(),
            retention: "t".into(),
            source: "s".into(),
            automated: "a".into(),
            transfers: "x".into(),
        };
        let json = serde_json::to_value(&info).unwrap();
        let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        let mut listed: Vec<&str> = Article15Info::FIELDS.iter().map(|f| f.key).collect();
        listed.sort_unstable();
        assert_eq!(keys, listed, "serde_json sorts keys: same set");
        for (f, v) in info.fields() {
            assert_eq!(json[f.key], *v);
            assert_eq!(info.get(f.key), Some(v));
        }
        assert_eq!(info.get("logo"), None);
        let mut copy = info.clone();
        *copy.get_mut("source").unwrap() = "elsewhere".into();
        assert_eq!(copy.source, "elsewhere");
    }
}
