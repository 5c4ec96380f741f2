//! The backup file's envelope: a plain header saying how the backup is locked, then one sealed STREAM (`sealed`)
//! holding a framed sequence of entries and, last, the manifest.
//!
//! ```text
//! RDBACKUP \x01 \n | u32 BE header length | header JSON | RDSEAL stream of:
//!     1 | u16 BE name length | name | u64 BE length | bytes      (an entry; as many as there are)
//!     2 | u32 BE length | manifest JSON                           (the end: nothing may follow)
//! ```
//!
//! Framed rather than a stored ZIP: the body is written and read once, front to back, through the seal, so a ZIP's
//! central directory (at the end, for readers that seek) and its data descriptors would add parsing of hostile input
//! without use — nobody can unzip the body without this program's key anyway — while this format's every length is
//! bounded in a few lines. The STREAM makes a changed, moved or cut chunk fail; the manifest's SHA-256 of every
//! entry catches anything else, and its presence at the end proves the entries before it are all there.
//!
//! The body key is derived from the header too (its SHA-256 is the HKDF salt): a header changed in any byte opens
//! nothing. Locks: the register's own key (`Lock::Register`: the header carries the key file, which holds only the
//! register key wrapped by each unlock method, so the register's passphrase, keyring or recovery key opens the
//! backup) or a backup passphrase (`Lock::Passphrase`: Argon2id, parameters here), which a plain register needs.
//!
//! `BodyWriter` seals on a second thread while the caller's thread reads and hashes the next bytes (bounded: a few 1 MiB
//! pieces in flight), so a backup of gigabytes costs the slower of the two, not their sum.

use std::io::{self, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::sealed::{OpenReader, SealWriter};
use super::{Access, FileKey, KeyFile, RegisterKey};
use crate::error::{Error, Result};
use crate::hash::{hex, unhex};

pub const MAGIC: &[u8; 10] = b"RDBACKUP\x01\n";
const FORMAT: &str = "rightsdesk-backup";
const VERSION: u32 = 1;
/// A header holds a key file (a few hundred bytes) or Argon2 parameters.
const MAX_HEADER: u32 = 64 * 1024;
const MAX_NAME: u16 = 1024;
/// No register file comes near; a larger length is a damaged or hostile backup.
pub const MAX_ENTRY: u64 = 1 << 40;
const MAX_MANIFEST: u32 = 256 * 1024 * 1024;
/// Entries in one backup (the database, the key file and every stored file).
pub const MAX_ENTRIES: u64 = 4_000_000;
const TAG_ENTRY: u8 = 1;
const TAG_MANIFEST: u8 = 2;

/// The backup's plain header.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    pub created: String,
    pub lock: Lock,
}

/// How the body's key is found.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Lock {
    /// Derived from the register key, unwrapped from this copy of the register's key file.
    Register { key_file: KeyFile },
    /// Argon2id of a backup passphrase.
    Passphrase { kdf: String, m_kib: u32, t: u32, p: u32, salt: String },
}

impl Header {
    pub fn register(key_file: KeyFile, created: &str) -> Header {
        Header { format: FORMAT.into(), version: VERSION, created: created.into(), lock: Lock::Register { key_file } }
    }

    pub fn passphrase(created: &str) -> Result<Header> {
        let (m_kib, t, p) = crate::signing::ARGON2;
        let mut salt = [0u8; 16];
        crate::signing::random(&mut salt)?;
        let lock = Lock::Passphrase { kdf: "argon2id".into(), m_kib, t, p, salt: hex(&salt) };
        Ok(Header { format: FORMAT.into(), version: VERSION, created: created.into(), lock })
    }

    /// What unlocks it, in words.
    pub fn locked_with(&self) -> &'static str {
        match self.lock {
            Lock::Register { .. } => "register key",
            Lock::Passphrase { .. } => "backup passphrase",
        }
    }
}

fn damaged(why: impl std::fmt::Display) -> Error {
    Error::Corrupt(format!("the backup is damaged, cut short or was changed ({why}): it was refused"))
}

/// Write the magic and the header; the bytes that the body key is bound to.
pub fn write_header(out: &mut impl Write, header: &Header) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(header).map_err(|e| Error::Corrupt(format!("the backup's header: {e}")))?;
    let len = u32::try_from(json.len()).ok().filter(|n| *n <= MAX_HEADER).ok_or_else(|| damaged("header too long"))?;
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&len.to_be_bytes());
    bytes.extend_from_slice(&json);
    out.write_all(&bytes).map_err(|e| Error::io("cannot write the backup", e))?;
    Ok(bytes)
}

/// Read the magic and the header (bounded); the header and its bytes.
pub fn read_header(src: &mut impl Read) -> Result<(Header, Vec<u8>)> {
    let mut magic = [0u8; MAGIC.len()];
    src.read_exact(&mut magic).map_err(|_| Error::Corrupt("this is not a Rightsdesk backup (too short)".into()))?;
    if &magic != MAGIC {
        return Err(Error::Corrupt("this is not a Rightsdesk backup (version 1)".into()));
    }
    let mut len = [0u8; 4];
    src.read_exact(&mut len).map_err(|_| damaged("no header"))?;
    let len = u32::from_be_bytes(len);
    if len > MAX_HEADER {
        return Err(damaged("header too long"));
    }
    let mut json = vec![0u8; len as usize];
    src.read_exact(&mut json).map_err(|_| damaged("header cut short"))?;
    let header: Header = serde_json::from_slice(&json).map_err(|e| damaged(format!("header: {e}")))?;
    if header.format != FORMAT {
        return Err(Error::Corrupt("this is not a Rightsdesk backup".into()));
    }
    if header.version > VERSION {
        return Err(Error::Corrupt(format!(
            "this backup was written by a newer Rightsdesk (backup format {}): install it to read the backup",
            header.version
        )));
    }
    let mut bytes = magic.to_vec();
    bytes.extend_from_slice(&len.to_be_bytes());
    bytes.extend_from_slice(&json);
    Ok((header, bytes))
}

/// The body key of a backup with this header, from what unlocks it: the register key (a `Register` lock; from
/// `access` when not given) or the backup passphrase. Also the register key, where it was used.
pub fn body_key(
    header: &Header,
    header_bytes: &[u8],
    register_key: Option<&RegisterKey>,
    access: &Access,
    backup_passphrase: Option<&str>,
) -> Result<(FileKey, Option<RegisterKey>)> {
    match &header.lock {
        Lock::Register { key_file } => {
            let key = match register_key {
                Some(key) => key.duplicate(),
                None => unlock_register(key_file, access)?,
            };
            if key.id() != key_file.key_id {
                return Err(Error::Locked("this key does not open the backup".into()));
            }
            Ok((bind(&key.backup_base(), header_bytes), Some(key)))
        }
        Lock::Passphrase { kdf, m_kib, t, p, salt } => {
            let passphrase = backup_passphrase.ok_or_else(|| {
                Error::Locked(format!(
                    "this backup is locked with a backup passphrase: give it on standard input \
                     (--backup-passphrase-stdin) or in {}",
                    crate::desk::BACKUP_PASSPHRASE_ENV
                ))
            })?;
            // Bounded: a hostile header must not make an unlock take gigabytes or minutes.
            if kdf != "argon2id" || *m_kib > 1024 * 1024 || *t > 16 || *p > 16 {
                return Err(damaged("unusable passphrase parameters"));
            }
            let salt = unhex(salt).ok_or_else(|| damaged("passphrase salt"))?;
            let base = crate::signing::stretch_bytes(passphrase, &salt, *m_kib, *t, *p)?;
            Ok((bind(&base, header_bytes), None))
        }
    }
}

fn unlock_register(file: &KeyFile, access: &Access) -> Result<RegisterKey> {
    let locked = |e: Error| match e {
        Error::Locked(why) => Error::Locked(format!("the backup cannot be opened: {why}")),
        other => other,
    };
    // The open register's own key (the window restoring a backup of it): no secret asked when it is the same key.
    if let Some(key) = access.register_key.as_ref().filter(|k| k.id() == file.key_id) {
        return Ok(key.duplicate());
    }
    if let Some(recovery) = &access.recovery {
        return file.open_with_recovery(&super::RecoveryKey::parse(recovery)?).map_err(locked);
    }
    if let Some(passphrase) = &access.passphrase {
        return file.open_with_passphrase(passphrase).map_err(locked);
    }
    if access.keyring && file.has("keyring") {
        return file.open_with_keyring().map_err(locked);
    }
    if access.register_key.is_some() {
        return Err(Error::Locked(
            "this backup was made under another key (of another register, or of this one before its key was \
             rotated): give the passphrase or the recovery key it was made with"
                .into(),
        ));
    }
    Err(Error::Locked(format!(
        "this backup is locked with its register's key: give the register's passphrase ({} or --passphrase-stdin) \
         or its recovery key (RIGHTSDESK_RECOVERY_KEY)",
        super::PASSPHRASE_ENV
    )))
}

/// The header's every byte goes into the key: a changed header opens nothing.
fn bind(base: &[u8; 32], header_bytes: &[u8]) -> FileKey {
    let mut out = Zeroizing::new([0u8; 32]);
    super::hkdf(&crate::hash::sha256(header_bytes), &base[..], b"rightsdesk backup body v1", &mut out[..]);
    FileKey(out)
}

/// An entry as written or read: its name, size and the SHA-256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryInfo {
    pub name: String,
    pub size: u64,
    pub sha256: String,
}

/// Buffers between the reading and hashing thread and the sealing one: a few in flight, so memory stays constant.
const PIECE: usize = 1 << 20;
const IN_FLIGHT: usize = 4;

/// What the sealing thread is sent; the seal's last chunk is written only on `End`, so a body dropped half-way
/// (an error) leaves a stream that fails to open, never one that looks whole.
enum Piece {
    Bytes(Vec<u8>),
    End,
}

/// The body being written: entries, then the manifest. Sealing (ChaCha20-Poly1305, the writes) runs on a second
/// thread while this one reads and hashes the next bytes: the two cost about the same, and a backup of gigabytes
/// takes the longer of them instead of their sum.
pub struct BodyWriter<W: Write + Send + 'static> {
    piece: Vec<u8>,
    filled: usize,
    to_seal: SyncSender<Piece>,
    spare: Receiver<Vec<u8>>,
    sealer: Option<JoinHandle<io::Result<W>>>,
}

impl<W: Write + Send + 'static> BodyWriter<W> {
    pub fn new(key: &FileKey, out: W) -> Result<BodyWriter<W>> {
        let mut seal = SealWriter::new(key, out).map_err(write_error)?;
        let (to_seal, pieces) = sync_channel::<Piece>(IN_FLIGHT);
        let (give_back, spare) = sync_channel::<Vec<u8>>(IN_FLIGHT);
        let sealer = std::thread::spawn(move || {
            for piece in pieces {
                match piece {
                    Piece::Bytes(mut bytes) => {
                        seal.write_all(&bytes)?;
                        bytes.resize(PIECE, 0);
                        let _ = give_back.try_send(bytes);
                    }
                    Piece::End => return seal.finish(),
                }
            }
            Err(io::Error::other("the backup was abandoned"))
        });
        Ok(BodyWriter { piece: vec![0u8; PIECE], filled: 0, to_seal, spare, sealer: Some(sealer) })
    }

    /// One entry of exactly `size` bytes read from `src` (fewer is an error: the source changed meanwhile).
    pub fn entry(&mut self, name: &str, size: u64, src: &mut impl Read) -> Result<EntryInfo> {
        let name_len = u16::try_from(name.len()).ok().filter(|n| *n <= MAX_NAME && *n > 0);
        let name_len =
            name_len.ok_or_else(|| Error::refused(format!("cannot back up '{name}': the name is too long")))?;
        let mut frame = vec![TAG_ENTRY];
        frame.extend_from_slice(&name_len.to_be_bytes());
        frame.extend_from_slice(name.as_bytes());
        frame.extend_from_slice(&size.to_be_bytes());
        self.put(&frame)?;
        let mut hasher = crate::hash::Hasher::new();
        let mut left = size;
        while left > 0 {
            if self.filled == PIECE {
                self.send()?;
            }
            let room = &mut self.piece[self.filled..];
            let want = usize::try_from(left.min(room.len() as u64)).unwrap_or(room.len());
            let n = match src.read(&mut room[..want]) {
                Ok(0) => {
                    return Err(Error::refused(format!("'{name}' changed while it was being backed up: try again")));
                }
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(format!("cannot read '{name}' for the backup"), e)),
            };
            hasher.update(&room[..n]);
            self.filled += n;
            left -= n as u64;
        }
        Ok(EntryInfo { name: name.into(), size, sha256: hasher.finish_hex() })
    }

    /// The manifest, and the seal's last chunk; the destination, not yet synced.
    pub fn finish(mut self, manifest: &[u8]) -> Result<W> {
        let len = u32::try_from(manifest.len())
            .ok()
            .filter(|n| *n <= MAX_MANIFEST)
            .ok_or_else(|| Error::refused("the backup's manifest is too large (too many files)"))?;
        let mut frame = vec![TAG_MANIFEST];
        frame.extend_from_slice(&len.to_be_bytes());
        self.put(&frame)?;
        self.put(manifest)?;
        self.send()?;
        if self.to_seal.send(Piece::End).is_err() {
            return Err(self.sealer_error());
        }
        self.join().map_err(write_error)
    }

    fn put(&mut self, mut data: &[u8]) -> Result<()> {
        while !data.is_empty() {
            if self.filled == PIECE {
                self.send()?;
            }
            let take = (PIECE - self.filled).min(data.len());
            self.piece[self.filled..self.filled + take].copy_from_slice(&data[..take]);
            self.filled += take;
            data = &data[take..];
        }
        Ok(())
    }

    /// Hand the filled piece to the sealing thread and go on with a spare one.
    fn send(&mut self) -> Result<()> {
        let next = self.spare.try_recv().unwrap_or_else(|_| vec![0u8; PIECE]);
        let mut full = std::mem::replace(&mut self.piece, next);
        full.truncate(self.filled);
        self.filled = 0;
        if self.to_seal.send(Piece::Bytes(full)).is_err() {
            return Err(self.sealer_error());
        }
        Ok(())
    }

    fn join(&mut self) -> io::Result<W> {
        match self.sealer.take().map(JoinHandle::join) {
            Some(Ok(done)) => done,
            _ => Err(io::Error::other("the backup's sealing thread stopped")),
        }
    }

    /// The sealing thread stopped early (a failed write): its error.
    fn sealer_error(&mut self) -> Error {
        write_error(self.join().err().unwrap_or_else(|| io::Error::other("the backup's sealing thread stopped")))
    }
}

fn write_error(e: io::Error) -> Error {
    Error::io("cannot write the backup", e)
}

/// What comes next in a body being read.
pub enum Item {
    Entry {
        name: String,
        size: u64,
    },
    /// The manifest's bytes; the body has been checked to end right after it.
    Manifest(Vec<u8>),
}

/// The body being read, front to back; each chunk checked by the seal before any of it is used.
pub struct BodyReader<R: Read> {
    open: OpenReader<R>,
    entries: u64,
}

fn read_error(e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::InvalidData || e.kind() == io::ErrorKind::UnexpectedEof {
        damaged(e)
    } else {
        Error::io("cannot read the backup", e)
    }
}

impl<R: Read> BodyReader<R> {
    pub fn new(key: &FileKey, src: R) -> Result<BodyReader<R>> {
        Ok(BodyReader { open: OpenReader::new(key, src).map_err(open_error)?, entries: 0 })
    }

    fn exact(&mut self, buf: &mut [u8]) -> Result<()> {
        self.open.read_exact(buf).map_err(read_error)
    }

    pub fn next_item(&mut self) -> Result<Item> {
        let mut tag = [0u8; 1];
        self.exact(&mut tag)?;
        match tag[0] {
            TAG_ENTRY => {
                self.entries += 1;
                if self.entries > MAX_ENTRIES {
                    return Err(damaged("too many entries"));
                }
                let mut len = [0u8; 2];
                self.exact(&mut len)?;
                let len = u16::from_be_bytes(len);
                if len == 0 || len > MAX_NAME {
                    return Err(damaged("an entry name's length"));
                }
                let mut name = vec![0u8; len as usize];
                self.exact(&mut name)?;
                let name = String::from_utf8(name).map_err(|_| damaged("an entry name is not UTF-8"))?;
                let mut size = [0u8; 8];
                self.exact(&mut size)?;
                let size = u64::from_be_bytes(size);
                if size > MAX_ENTRY {
                    return Err(damaged("an entry's length"));
                }
                Ok(Item::Entry { name, size })
            }
            TAG_MANIFEST => {
                let mut len = [0u8; 4];
                self.exact(&mut len)?;
                let len = u32::from_be_bytes(len);
                if len > MAX_MANIFEST {
                    return Err(damaged("the manifest's length"));
                }
                let mut manifest = Vec::new();
                (&mut self.open).take(u64::from(len)).read_to_end(&mut manifest).map_err(read_error)?;
                if manifest.len() != len as usize {
                    return Err(damaged("the manifest is cut short"));
                }
                // The seal's last chunk must end here: reading on checks it and finds nothing more.
                let mut more = [0u8; 1];
                if self.open.read(&mut more).map_err(read_error)? != 0 {
                    return Err(damaged("data after the manifest"));
                }
                Ok(Item::Manifest(manifest))
            }
            _ => Err(damaged("an unknown frame")),
        }
    }

    /// Copy the current entry's `size` bytes to `out`; its SHA-256.
    pub fn copy_entry(&mut self, size: u64, out: &mut impl Write) -> Result<String> {
        let mut hasher = crate::hash::Hasher::new();
        let mut buf = vec![0u8; 256 * 1024];
        let mut left = size;
        while left > 0 {
            let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
            let n = self.open.read(&mut buf[..want]).map_err(read_error)?;
            if n == 0 {
                return Err(damaged("an entry is cut short"));
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(|e| Error::io("cannot write what the backup holds", e))?;
            left -= n as u64;
        }
        Ok(hasher.finish_hex())
    }
}

fn open_error(e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::InvalidData || e.kind() == io::ErrorKind::UnexpectedEof {
        damaged(e)
    } else {
        Error::io("cannot read the backup", e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(key: &FileKey) -> Vec<u8> {
        let mut w = BodyWriter::new(key, Vec::new()).unwrap();
        w.entry("database", 5, &mut &b"hello"[..]).unwrap();
        w.entry("files/a", 0, &mut &b""[..]).unwrap();
        w.finish(b"{}").unwrap()
    }

    fn read_all(key: &FileKey, bytes: &[u8]) -> Result<Vec<String>> {
        let mut r = BodyReader::new(key, bytes)?;
        let mut names = vec![];
        loop {
            match r.next_item()? {
                Item::Entry { name, size } => {
                    r.copy_entry(size, &mut io::sink())?;
                    names.push(name);
                }
                Item::Manifest(m) => {
                    names.push(String::from_utf8(m).unwrap());
                    return Ok(names);
                }
            }
        }
    }

    #[test]
    fn a_body_round_trips_and_any_damage_is_refused() {
        let key = FileKey(Zeroizing::new([3; 32]));
        let bytes = body(&key);
        assert_eq!(read_all(&key, &bytes).unwrap(), ["database", "files/a", "{}"]);
        for at in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x20;
            assert_eq!(read_all(&key, &bad).unwrap_err().code(), "corrupt", "flipped at {at}");
        }
        for len in 0..bytes.len() {
            assert!(read_all(&key, &bytes[..len]).is_err(), "cut at {len}");
        }
    }

    #[test]
    fn a_changed_header_gives_another_key_and_a_hostile_one_is_bounded() {
        let base = [9u8; 32];
        let a = bind(&base, b"header one");
        let b = bind(&base, b"header two");
        assert_ne!(*a.0, *b.0);
        let mut hostile = MAGIC.to_vec();
        hostile.extend_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(read_header(&mut &hostile[..]).unwrap_err().code(), "corrupt");
        let header = Header::passphrase("t").unwrap();
        let mut written = vec![];
        let bytes = write_header(&mut written, &header).unwrap();
        let (read, read_bytes) = read_header(&mut &written[..]).unwrap();
        assert_eq!(bytes, read_bytes);
        assert_eq!(read.locked_with(), "backup passphrase");
    }
}
