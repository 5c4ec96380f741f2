//! The register's signing key for audit checkpoints: Ed25519 (ring), kept in the OS keyring where one exists,
//! else sealed with a passphrase (Argon2id stretches it into a ChaCha20-Poly1305 key; the parameters travel with
//! the sealed key). The seed never leaves memory unsealed except into the keyring, and is wiped when dropped.

use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::hash::{hex, unhex};

/// Argon2id cost: 64 MiB, 3 passes (above OWASP's minimum of 19 MiB × 2), about a quarter second here.
const ARGON2_M_KIB: u32 = 64 * 1024;
const ARGON2_T: u32 = 3;
const ARGON2_P: u32 = 1;
/// The same cost (memory KiB, passes, lanes) for the vault's passphrase.
pub(crate) const ARGON2: (u32, u32, u32) = (ARGON2_M_KIB, ARGON2_T, ARGON2_P);
/// A passphrase shorter than this is refused: it seals the key that makes a rewrite of the log detectable.
pub const MIN_PASSPHRASE_CHARS: usize = 10;

pub struct SigningKey {
    seed: Zeroizing<[u8; 32]>,
    pair: Ed25519KeyPair,
}

impl SigningKey {
    pub fn generate() -> Result<SigningKey> {
        let mut seed = Zeroizing::new([0u8; 32]);
        random(&mut seed[..])?;
        SigningKey::from_seed(&seed[..])
    }

    pub fn from_seed(seed: &[u8]) -> Result<SigningKey> {
        let seed: [u8; 32] =
            seed.try_into().map_err(|_| Error::Corrupt("the audit signing key has the wrong length".into()))?;
        let pair = Ed25519KeyPair::from_seed_unchecked(&seed)
            .map_err(|e| Error::Corrupt(format!("the audit signing key is not usable: {e}")))?;
        Ok(SigningKey { seed: Zeroizing::new(seed), pair })
    }

    pub fn from_seed_hex(text: &str) -> Result<SigningKey> {
        let seed = Zeroizing::new(
            unhex(text.trim()).ok_or_else(|| Error::Corrupt("the audit signing key is not hex".into()))?,
        );
        SigningKey::from_seed(&seed)
    }

    pub fn seed_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex(&self.seed[..]))
    }

    pub fn public_hex(&self) -> String {
        hex(self.pair.public_key().as_ref())
    }

    pub fn sign_hex(&self, message: &[u8]) -> String {
        hex(self.pair.sign(message).as_ref())
    }
}

/// Only the public half shows in logs and test failures.
impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("public", &self.public_hex()).finish_non_exhaustive()
    }
}

/// Whether `signature` (hex) is `public` (hex)'s Ed25519 signature of `message`.
pub fn verify(public: &str, message: &[u8], signature: &str) -> bool {
    match (unhex(public), unhex(signature)) {
        (Some(public), Some(signature)) => UnparsedPublicKey::new(&ED25519, public).verify(message, &signature).is_ok(),
        _ => false,
    }
}

/// A short form of a public key for people to compare (SHA-256, first 16 bytes, in groups of four).
pub fn fingerprint(public: &str) -> String {
    let digest = crate::hash::sha256(public.as_bytes());
    hex(&digest[..16])
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The seed sealed with a passphrase, as stored in the register's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    pub kdf: String,
    pub m_kib: u32,
    pub t: u32,
    pub p: u32,
    pub salt: String,
    pub nonce: String,
    pub sealed: String,
}

/// Seal `key` with `passphrase`; `context` (the register id and public key) is bound in, so a sealed key cannot be
/// moved to another register unnoticed.
pub fn seal(key: &SigningKey, passphrase: &str, context: &[u8]) -> Result<Sealed> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(Error::invalid("passphrase", format!("use at least {MIN_PASSPHRASE_CHARS} characters")));
    }
    let mut salt = [0u8; 16];
    random(&mut salt)?;
    let mut nonce = [0u8; 12];
    random(&mut nonce)?;
    let aead = stretch(passphrase, &salt, ARGON2_M_KIB, ARGON2_T, ARGON2_P)?;
    let mut in_out = key.seed.to_vec();
    aead.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(context), &mut in_out)
        .map_err(|_| Error::Corrupt("cannot seal the audit signing key".into()))?;
    let sealed = hex(&in_out);
    in_out.iter_mut().for_each(|b| *b = 0);
    Ok(Sealed {
        kdf: "argon2id".into(),
        m_kib: ARGON2_M_KIB,
        t: ARGON2_T,
        p: ARGON2_P,
        salt: hex(&salt),
        nonce: hex(&nonce),
        sealed,
    })
}

/// Open a sealed key; a wrong passphrase is an `invalid` error on the passphrase.
pub fn open(sealed: &Sealed, passphrase: &str, context: &[u8]) -> Result<SigningKey> {
    let damaged = || Error::Corrupt("the sealed audit signing key is damaged".into());
    // Bounded: a tampered register must not make an unlock take gigabytes or minutes.
    if sealed.kdf != "argon2id" || sealed.m_kib > 1024 * 1024 || sealed.t > 16 || sealed.p > 16 {
        return Err(damaged());
    }
    let salt = unhex(&sealed.salt).ok_or_else(damaged)?;
    let nonce: [u8; 12] = unhex(&sealed.nonce).and_then(|n| n.try_into().ok()).ok_or_else(damaged)?;
    let mut in_out = Zeroizing::new(unhex(&sealed.sealed).ok_or_else(damaged)?);
    let aead = stretch(passphrase, &salt, sealed.m_kib, sealed.t, sealed.p)?;
    let seed = aead
        .open_in_place(Nonce::assume_unique_for_key(nonce), Aad::from(context), &mut in_out[..])
        .map_err(|_| Error::invalid("passphrase", "this passphrase does not open the audit signing key"))?;
    SigningKey::from_seed(seed)
}

pub(crate) fn stretch(passphrase: &str, salt: &[u8], m_kib: u32, t: u32, p: u32) -> Result<LessSafeKey> {
    let key = stretch_bytes(passphrase, salt, m_kib, t, p)?;
    let unbound = UnboundKey::new(&CHACHA20_POLY1305, &key[..])
        .map_err(|_| Error::Corrupt("cannot make the sealing key".into()))?;
    Ok(LessSafeKey::new(unbound))
}

/// Argon2id of `passphrase`: 32 bytes of key material (a backup's passphrase, which keys a stream, not one seal).
pub(crate) fn stretch_bytes(passphrase: &str, salt: &[u8], m_kib: u32, t: u32, p: u32) -> Result<Zeroizing<[u8; 32]>> {
    use argon2::{Algorithm, Argon2, Params, Version};
    let params = Params::new(m_kib, t, p, Some(32)).map_err(|e| Error::Corrupt(format!("Argon2 parameters: {e}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, &mut key[..])
        .map_err(|e| Error::Corrupt(format!("Argon2: {e}")))?;
    Ok(key)
}

pub(crate) fn random(buf: &mut [u8]) -> Result<()> {
    SystemRandom::new().fill(buf).map_err(|_| Error::Corrupt("the system's random number generator failed".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies_and_rejects_tampering() {
        let key = SigningKey::generate().unwrap();
        let sig = key.sign_hex(b"head 42");
        assert!(verify(&key.public_hex(), b"head 42", &sig));
        assert!(!verify(&key.public_hex(), b"head 43", &sig));
        let other = SigningKey::generate().unwrap();
        assert!(!verify(&other.public_hex(), b"head 42", &sig));
        assert!(!verify("zz", b"head 42", &sig));
    }

    #[test]
    fn a_sealed_key_opens_only_with_its_passphrase_and_context() {
        let key = SigningKey::generate().unwrap();
        let sealed = seal(&key, "correct horse battery", b"register-1").unwrap();
        assert!(!sealed.sealed.contains(key.seed_hex().as_str()));
        let opened = open(&sealed, "correct horse battery", b"register-1").unwrap();
        assert_eq!(opened.public_hex(), key.public_hex());
        assert_eq!(open(&sealed, "wrong horse battery", b"register-1").unwrap_err().code(), "invalid");
        assert!(open(&sealed, "correct horse battery", b"register-2").is_err());
        assert_eq!(seal(&key, "short", b"r").unwrap_err().code(), "invalid");
    }
}
