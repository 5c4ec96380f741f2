//! The state each request's last live event recorded, kept while the chain is walked in order, so that the rows
//! check compares each request row with it by a plain scan of `requests` instead of looking up every request's
//! last event (a random read into the events table per request: what bounded `audit verify` at a million).
//!
//! Compact, sized by the register: request ids as 16 bytes in one sorted vector, each state as its tag and
//! 32-byte digest beside it (~53 bytes per request). Whatever does not fit that shape — an id that is not a
//! lowercase UUID, a state that is not a short tag and 64 lowercase hex digits — is kept as text on the side, so
//! the check's result does not depend on the shape.

use std::collections::{HashMap, HashSet};

/// An id in 16 bytes, when it is a UUID in its canonical text (lowercase, hyphenated): then text and bytes map one
/// to one, and no two ids share a key.
pub(super) fn uuid_key(id: &str) -> Option<[u8; 16]> {
    let text = id.as_bytes();
    if text.len() != 36 || [8, 13, 18, 23].iter().any(|&i| text[i] != b'-') {
        return None;
    }
    // Millions of ids are read: a table and fixed places rather than a branch per character.
    let mut key = [0u8; 16];
    for (k, pair) in HEX_PLACES.chunks_exact(2).enumerate() {
        let (hi, lo) = (HEX_VALUE[usize::from(text[pair[0]])], HEX_VALUE[usize::from(text[pair[1]])]);
        if (hi | lo) > 0x0f {
            return None;
        }
        key[k] = hi << 4 | lo;
    }
    Some(key)
}

/// Where a canonical UUID's 32 hex digits are.
const HEX_PLACES: [usize; 32] = [
    0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
    35,
];

/// Each byte's value as a lowercase hex digit, 0xff if it is none.
const HEX_VALUE: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut c = 0;
    while c < 256 {
        if let Some(v) = lower_hex(c as u8) {
            table[c] = v;
        }
        c += 1;
    }
    table
};

const fn lower_hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// A UUID's bytes with its random part first (the last seven bytes of a version 4 or 7 UUID; version 7 starts
/// with a timestamp, which a million ids made within minutes share), so the first two bytes spread the ids evenly.
fn turned(mut key: [u8; 16]) -> [u8; 16] {
    key.rotate_left(9);
    key
}

const PREFIXES: usize = 1 << 16;

fn prefix(key: &[u8; 16]) -> usize {
    usize::from(key[0]) << 8 | usize::from(key[1])
}

/// Longest tag kept inline ("v1:" is three bytes).
const TAG_MAX: usize = 4;
const DIGEST_HEX: usize = 64;
/// No state recorded (no live event, or a last event from before row states).
const NONE: u8 = 0;
/// A state that does not fit the compact shape: its text is on the side.
const ODD: u8 = 0xff;

/// A recorded state, compact: one more than the tag's length (or `NONE`/`ODD`), the tag, the digest.
pub(super) type Stated = [u8; 1 + TAG_MAX + 32];

/// `state` in compact form; `ODD` when only its text can say it.
pub(super) fn compact(state: Option<&str>) -> Stated {
    let mut out = [0u8; 1 + TAG_MAX + 32];
    let Some(state) = state else { return out };
    let bytes = state.as_bytes();
    let tag_len = bytes.len().wrapping_sub(DIGEST_HEX);
    if bytes.len() < DIGEST_HEX || tag_len > TAG_MAX || !state.is_char_boundary(tag_len) {
        out[0] = ODD;
        return out;
    }
    // One more than the tag's length, so that an untagged digest is not taken for `NONE`.
    out[0] = tag_len as u8 + 1;
    out[1..1 + tag_len].copy_from_slice(&bytes[..tag_len]);
    for (i, pair) in bytes[tag_len..].chunks_exact(2).enumerate() {
        let (hi, lo) = (HEX_VALUE[usize::from(pair[0])], HEX_VALUE[usize::from(pair[1])]);
        if (hi | lo) > 0x0f {
            out[0] = ODD;
            return out;
        }
        out[1 + TAG_MAX + i] = hi << 4 | lo;
    }
    out
}

/// The text a compact state stands for (`None` for `NONE` and `ODD`: the side table holds the odd ones).
#[cfg(test)]
pub(super) fn text(stated: &Stated) -> Option<String> {
    if stated[0] == NONE || stated[0] == ODD {
        return None;
    }
    let tag_len = (stated[0] as usize - 1).min(TAG_MAX);
    let mut out = String::with_capacity(tag_len + DIGEST_HEX);
    out.push_str(std::str::from_utf8(&stated[1..1 + tag_len]).unwrap_or_default());
    out.push_str(&crate::hash::hex(&stated[1 + TAG_MAX..]));
    Some(out)
}

/// Where an event's state goes, worked out by a worker from the event's request id.
pub(super) enum Slot {
    /// A register event, or a request id no row has: nothing to keep.
    Skip,
    /// The request at this place of the sorted ids, with the state compacted.
    At(u32, Stated),
    /// An id that is not a canonical UUID: kept by its text.
    Other,
}

/// The request rows' ids, sorted: where each request's state is kept. Read-only while the chain is walked, so the
/// workers find each event's place.
pub(super) struct RequestIds {
    /// Each id's bytes turned so its random part comes first (`turned`), sorted.
    ids: Vec<[u8; 16]>,
    /// Where the ids starting with each two bytes begin (and, last, their count): a lookup searches only those few
    /// (~15 at a million) instead of the whole vector, which at a million ids missed the CPU cache at every step.
    starts: Vec<u32>,
    /// Ids that are not canonical UUIDs.
    other: HashSet<String>,
}

impl RequestIds {
    /// Read the ids one at a time (a million of them are not held as strings), then `sorted`.
    pub(super) fn with_capacity(n: usize) -> RequestIds {
        RequestIds { ids: Vec::with_capacity(n), starts: Vec::new(), other: HashSet::new() }
    }

    pub(super) fn push(&mut self, id: &str) {
        match uuid_key(id) {
            Some(key) => self.ids.push(turned(key)),
            None => {
                self.other.insert(id.to_string());
            }
        }
    }

    pub(super) fn sorted(mut self) -> RequestIds {
        self.ids.sort_unstable();
        self.ids.dedup();
        self.starts = Vec::with_capacity(PREFIXES + 1);
        let mut at = 0;
        for prefix in 0..PREFIXES {
            while at < self.ids.len() && self::prefix(&self.ids[at]) < prefix {
                at += 1;
            }
            self.starts.push(at as u32);
        }
        self.starts.push(self.ids.len() as u32);
        self
    }

    pub(super) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The place of a row's id among the sorted ids (`None`: not a canonical UUID, or not among them).
    pub(super) fn place_of(&self, id: &str) -> Option<u32> {
        self.place(id)?.ok().map(|at| at as u32)
    }

    /// The id at `place`, as text.
    pub(super) fn id_at(&self, place: u32) -> String {
        let mut key = self.ids[place as usize];
        key.rotate_right(9);
        uuid::Uuid::from_bytes(key).to_string()
    }

    /// An id's place among the sorted ids (`Err`: no such row), or `None` for an id that is not a canonical UUID.
    fn place(&self, id: &str) -> Option<Result<usize, ()>> {
        let key = turned(uuid_key(id)?);
        let p = prefix(&key);
        let (from, to) = (self.starts[p] as usize, self.starts[p + 1] as usize);
        Some(self.ids[from..to].binary_search(&key).map(|i| from + i).map_err(|_| ()))
    }

    /// Where the state of an event of `request_id` goes. Pure: the workers call it.
    pub(super) fn slot(&self, request_id: &str, state: Option<&str>) -> Slot {
        if request_id.is_empty() {
            return Slot::Skip;
        }
        match self.place(request_id) {
            Some(Ok(at)) => Slot::At(at as u32, compact(state)),
            Some(Err(())) => Slot::Skip,
            None if self.other.contains(request_id) => Slot::Other,
            None => Slot::Skip,
        }
    }
}

/// The last recorded state of every request row, by id.
pub(super) struct LastStates {
    ids: RequestIds,
    kept: Kept,
}

/// The states themselves: one compact state per sorted id, and the few that do not fit on the side.
pub(super) struct Kept {
    states: Vec<Stated>,
    /// States that do not fit the compact shape, by place.
    odd: HashMap<u32, String>,
    /// Requests whose id is not a canonical UUID, by id.
    other: HashMap<String, Option<String>>,
}

impl LastStates {
    /// For the request rows with these ids, none recorded yet.
    pub(super) fn new(ids: RequestIds) -> LastStates {
        let ids = ids.sorted();
        let states = vec![[0u8; 1 + TAG_MAX + 32]; ids.ids.len()];
        LastStates { ids, kept: Kept { states, odd: HashMap::new(), other: HashMap::new() } }
    }

    /// The ids (for the workers) and the states (for the thread that records them in order).
    pub(super) fn split(&mut self) -> (&RequestIds, &mut Kept) {
        (&self.ids, &mut self.kept)
    }

    /// Keep `state` as the last of `request_id`, finding its slot here (the walk without workers).
    pub(super) fn keep(&mut self, request_id: &str, state: Option<&str>) {
        let slot = self.ids.slot(request_id, state);
        self.kept.record(slot, request_id, state);
    }

    /// The last state recorded for the request `id`, if any: compact, or as text when it does not fit.
    pub(super) fn get(&self, id: &str) -> Recorded {
        match self.ids.place(id) {
            Some(Ok(at)) => self.at(at as u32),
            Some(Err(())) => Recorded::None,
            None => self.kept.other.get(id).cloned().flatten().map_or(Recorded::None, Recorded::Text),
        }
    }

    /// The last state recorded for the request at `place` among the sorted ids.
    pub(super) fn at(&self, place: u32) -> Recorded {
        let kept = &self.kept;
        match kept.states[place as usize][0] {
            NONE => Recorded::None,
            ODD => kept.odd.get(&place).cloned().map_or(Recorded::None, Recorded::Text),
            _ => Recorded::Compact(kept.states[place as usize]),
        }
    }

    pub(super) fn ids(&self) -> &RequestIds {
        &self.ids
    }
}

impl Kept {
    /// Keep `state` (the event's, as stored) as its request's last, at the slot a worker found.
    pub(super) fn record(&mut self, slot: Slot, request_id: &str, state: Option<&str>) {
        match slot {
            Slot::Skip => {}
            Slot::At(at, stated) => {
                if stated[0] == ODD {
                    self.odd.insert(at, state.unwrap_or_default().to_string());
                }
                self.states[at as usize] = stated;
            }
            Slot::Other => {
                self.other.insert(request_id.to_string(), state.map(str::to_string));
            }
        }
    }
}

/// A row's recorded state as the rows check carries it to a worker.
pub(super) enum Recorded {
    None,
    Compact(Stated),
    Text(String),
}

impl Recorded {
    /// Whether this is `tag` followed by `digest` in hex, without writing the text of a compact one.
    pub(super) fn is(&self, tag: &str, digest: &[u8; 32]) -> bool {
        match self {
            Recorded::None => false,
            Recorded::Compact(stated) => {
                let tag_len = (stated[0] as usize).saturating_sub(1).min(TAG_MAX);
                &stated[1..1 + tag_len] == tag.as_bytes() && &stated[1 + TAG_MAX..] == digest
            }
            Recorded::Text(text) => text.strip_prefix(tag) == Some(crate::hash::hex(digest).as_str()),
        }
    }

    /// Whether the state's text starts with `tag`.
    pub(super) fn has_tag(&self, tag: &str) -> bool {
        match self {
            Recorded::None => false,
            Recorded::Compact(stated) => {
                let tag_len = (stated[0] as usize).saturating_sub(1).min(TAG_MAX);
                stated[1..1 + tag_len].starts_with(tag.as_bytes())
            }
            Recorded::Text(text) => text.starts_with(tag),
        }
    }

    /// The state's text, exactly as the event stored it.
    #[cfg(test)]
    pub(super) fn text(&self) -> Option<String> {
        match self {
            Recorded::None => None,
            Recorded::Compact(stated) => text(stated),
            Recorded::Text(text) => Some(text.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_states_round_trip_or_go_to_the_side() {
        let id = "0192f1a2-3b4c-7d5e-8f60-0123456789ab";
        let key = uuid_key(id).unwrap();
        assert_eq!(uuid::Uuid::from_bytes(key).to_string(), id);
        for odd in ["0192F1A2-3B4C-7D5E-8F60-0123456789AB", "r1", "0192f1a23b4c7d5e8f600123456789ab", ""] {
            assert_eq!(uuid_key(odd), None, "{odd}");
        }
        let digest = "ab".repeat(32);
        for state in [format!("v1:{digest}"), format!("v2:{digest}"), digest.clone(), format!("v10:{digest}")] {
            assert_eq!(text(&compact(Some(&state))).as_deref(), Some(state.as_str()));
        }
        for odd in [format!("v1:{}", "AB".repeat(32)), format!("version1:{digest}"), "v1:".into(), "é".repeat(40)] {
            assert_eq!(compact(Some(&odd))[0], ODD, "{odd}");
        }
        assert_eq!(compact(None)[0], NONE);
        let raw = [0xab; 32];
        assert!(Recorded::Compact(compact(Some(&format!("v1:{digest}")))).is(STATE, &raw));
        assert!(!Recorded::Compact(compact(Some(&format!("v2:{digest}")))).is(STATE, &raw));
        assert!(!Recorded::Compact(compact(Some(&digest))).is(STATE, &raw));
        assert!(Recorded::Text(format!("v1:{digest}")).is(STATE, &raw));
        assert!(!Recorded::Text(format!("v1:{digest} ")).is(STATE, &raw));
        assert!(!Recorded::None.is(STATE, &raw));
    }

    const STATE: &str = "v1:";

    #[test]
    fn the_last_state_of_each_request_is_kept() {
        let (a, b) = ("0192f1a2-3b4c-7d5e-8f60-0123456789ab", "0192f1a2-3b4c-7d5e-8f60-0123456789ac");
        let mut ids = RequestIds::with_capacity(3);
        for id in [b, a, "r1"] {
            ids.push(id);
        }
        let mut last = LastStates::new(ids);
        let v1 = format!("v1:{}", "cd".repeat(32));
        let events: [(&str, Option<&str>); 7] = [
            (a, Some("v1:odd")),
            (b, Some(&v1)),
            ("r1", Some("x")),
            ("", Some(&v1)),
            ("0192f1a2-3b4c-7d5e-8f60-0123456789ad", Some(&v1)),
            (a, Some(&v1)),
            (b, None),
        ];
        for (id, state) in events {
            last.keep(id, state);
        }
        assert_eq!(last.get(a).text(), Some(v1.clone()));
        assert_eq!(last.get(b).text(), None, "a last event without a state");
        assert_eq!(last.get("r1").text().as_deref(), Some("x"));
        assert_eq!(last.get("0192f1a2-3b4c-7d5e-8f60-0123456789ad").text(), None);
        let place = last.ids().place_of(b).unwrap();
        assert_eq!((last.ids().id_at(place).as_str(), last.ids().len()), (b, 2));
        assert_eq!(last.ids().place_of("r1"), None);
        last.keep(a, Some("v1:odd"));
        assert_eq!(last.get(a).text().as_deref(), Some("v1:odd"));
    }
}
