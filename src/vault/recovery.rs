//! The recovery key: 256 random bits shown once, when the vault is made, as 13 groups of 4 base32 letters and
//! digits (like a disk-encryption recovery key), so that a lost keyring or a forgotten passphrase does not lose the
//! register. It wraps the register key (HKDF-SHA256; it is random, so no password stretching is needed).

use data_encoding::BASE32_NOPAD;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

pub struct RecoveryKey(Zeroizing<[u8; 32]>);

impl RecoveryKey {
    pub fn generate() -> Result<RecoveryKey> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        crate::signing::random(&mut bytes[..])?;
        Ok(RecoveryKey(bytes))
    }

    /// Read a recovery key as a person types it back: case, spaces and dashes do not matter.
    pub fn parse(text: &str) -> Result<RecoveryKey> {
        let cleaned: Zeroizing<String> = Zeroizing::new(
            text.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect(),
        );
        let wrong = || {
            Error::invalid("recovery key", "a recovery key is 52 letters and digits in 13 groups of 4 (ABCD-EFGH-…)")
        };
        let bytes = Zeroizing::new(BASE32_NOPAD.decode(cleaned.as_bytes()).map_err(|_| wrong())?);
        let bytes: [u8; 32] = bytes.as_slice().try_into().map_err(|_| wrong())?;
        Ok(RecoveryKey(Zeroizing::new(bytes)))
    }

    /// As shown to the officer: `ABCD-EFGH-…`, 13 groups.
    pub fn display(&self) -> Zeroizing<String> {
        let text = Zeroizing::new(BASE32_NOPAD.encode(&self.0[..]));
        Zeroizing::new(text.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c)).collect::<Vec<_>>().join("-"))
    }

    pub(super) fn wrapping_key(&self, salt: &[u8]) -> Result<ring::aead::LessSafeKey> {
        let mut key = Zeroizing::new([0u8; 32]);
        super::hkdf(salt, &self.0[..], b"rightsdesk vault recovery v1", &mut key[..]);
        super::keyfile::aead_key(&key[..])
    }
}

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKey(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_as_groups_and_read_back_however_typed() {
        let key = RecoveryKey::generate().unwrap();
        let shown = key.display();
        assert_eq!(shown.len(), 52 + 12);
        assert_eq!(shown.split('-').count(), 13);
        let typed = shown.to_lowercase().replace('-', " ");
        assert_eq!(&RecoveryKey::parse(&typed).unwrap().0[..], &key.0[..]);
        assert_eq!(RecoveryKey::parse("ABCD-EFGH").unwrap_err().code(), "invalid");
        assert_eq!(RecoveryKey::parse(&format!("{}1", &*shown)).unwrap_err().code(), "invalid");
    }
}
