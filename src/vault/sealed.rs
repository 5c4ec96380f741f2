//! The register's files sealed at rest: XChaCha20-Poly1305 in the STREAM construction (Hoang, Reyhanitabar, Rogaway
//! and Vizár, "Online Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance"), from RustCrypto's
//! `chacha20poly1305`. A file of any size is written and read back chunk by chunk in constant memory; a chunk
//! changed, removed, moved or a file cut short at any point fails to open (each chunk's nonce carries its position
//! and whether it is the last).
//!
//! Format: `RDSEAL` `\x01` `\n`, a random 19-byte nonce prefix, then chunks of 64 KiB of plaintext + 16-byte tag;
//! the last chunk holds 0 to 64 KiB. The header is the associated data of every chunk.

use std::io::{self, Read, Write};

use chacha20poly1305::aead::stream::{DecryptorBE32, EncryptorBE32};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305};
use zeroize::Zeroizing;

pub const MAGIC: &[u8; 8] = b"RDSEAL\x01\n";
const PREFIX: usize = 19;
const HEADER: usize = MAGIC.len() + PREFIX;
const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;

/// The key the register's files are sealed with (derived from the register key; see `vault::RegisterKey`).
pub struct FileKey(pub(super) Zeroizing<[u8; 32]>);

impl std::fmt::Debug for FileKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FileKey(…)")
    }
}

fn damaged() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "the sealed file is damaged or was changed (its seal does not check)")
}

/// Seals everything written to it into `out`; [`SealWriter::finish`] writes the last chunk. A writer dropped
/// without `finish` leaves a file that fails to open (it has no last chunk), never a silently short one.
pub struct SealWriter<W: Write> {
    stream: Option<EncryptorBE32<XChaCha20Poly1305>>,
    out: W,
    header: [u8; HEADER],
    buf: Zeroizing<Vec<u8>>,
}

impl<W: Write> SealWriter<W> {
    pub fn new(key: &FileKey, mut out: W) -> io::Result<SealWriter<W>> {
        let mut header = [0u8; HEADER];
        header[..MAGIC.len()].copy_from_slice(MAGIC);
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut header[MAGIC.len()..])
            .map_err(|_| io::Error::other("the system's random number generator failed"))?;
        out.write_all(&header)?;
        let cipher = XChaCha20Poly1305::new((&*key.0).into());
        let stream = EncryptorBE32::from_aead(cipher, (&header[MAGIC.len()..]).into());
        Ok(SealWriter { stream: Some(stream), out, header, buf: Zeroizing::new(Vec::with_capacity(CHUNK + TAG)) })
    }

    /// Seal the last chunk and hand back the destination (not yet synced).
    pub fn finish(mut self) -> io::Result<W> {
        let stream = self.stream.take().ok_or_else(damaged)?;
        stream.encrypt_last_in_place(&self.header, &mut *self.buf).map_err(|_| damaged())?;
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(self.out)
    }
}

impl<W: Write> Write for SealWriter<W> {
    fn write(&mut self, mut data: &[u8]) -> io::Result<usize> {
        let written = data.len();
        while !data.is_empty() {
            // A full chunk is sealed only once more data follows it: the last chunk is sealed as the last.
            if self.buf.len() == CHUNK {
                let stream = self.stream.as_mut().ok_or_else(damaged)?;
                stream.encrypt_next_in_place(&self.header, &mut *self.buf).map_err(|_| damaged())?;
                self.out.write_all(&self.buf)?;
                self.buf.clear();
            }
            let take = (CHUNK - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Reads a sealed file's plaintext, checking each chunk before any of it is handed out.
pub struct OpenReader<R: Read> {
    stream: Option<DecryptorBE32<XChaCha20Poly1305>>,
    src: R,
    header: [u8; HEADER],
    plain: Zeroizing<Vec<u8>>,
    pos: usize,
    /// The first byte of the next chunk, read to learn that the chunk before it is not the last.
    carry: Option<u8>,
}

impl<R: Read> OpenReader<R> {
    pub fn new(key: &FileKey, mut src: R) -> io::Result<OpenReader<R>> {
        let mut header = [0u8; HEADER];
        src.read_exact(&mut header).map_err(|_| damaged())?;
        if &header[..MAGIC.len()] != MAGIC {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "the file is not sealed by Rightsdesk"));
        }
        let cipher = XChaCha20Poly1305::new((&*key.0).into());
        let stream = DecryptorBE32::from_aead(cipher, (&header[MAGIC.len()..]).into());
        Ok(OpenReader {
            stream: Some(stream),
            src,
            header,
            plain: Zeroizing::new(Vec::with_capacity(CHUNK + TAG + 1)),
            pos: 0,
            carry: None,
        })
    }

    fn next_chunk(&mut self) -> io::Result<()> {
        self.plain.clear();
        self.pos = 0;
        if self.stream.is_none() {
            return Ok(());
        }
        self.plain.extend(self.carry.take());
        let want = CHUNK + TAG + 1;
        let mut filled = self.plain.len();
        self.plain.resize(want, 0);
        while filled < want {
            match self.src.read(&mut self.plain[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.plain.truncate(filled);
        if filled == want {
            self.carry = self.plain.pop();
            let stream = self.stream.as_mut().ok_or_else(damaged)?;
            stream.decrypt_next_in_place(&self.header, &mut *self.plain).map_err(|_| damaged())
        } else {
            let stream = self.stream.take().ok_or_else(damaged)?;
            stream.decrypt_last_in_place(&self.header, &mut *self.plain).map_err(|_| damaged())
        }
    }
}

impl<R: Read> Read for OpenReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.plain.len() {
            if self.stream.is_none() {
                return Ok(0);
            }
            self.next_chunk()?;
        }
        let n = out.len().min(self.plain.len() - self.pos);
        out[..n].copy_from_slice(&self.plain[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Whether `head` (a file's first bytes) is a sealed file's.
pub fn is_sealed(head: &[u8]) -> bool {
    head.starts_with(MAGIC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> FileKey {
        FileKey(Zeroizing::new([byte; 32]))
    }

    fn seal(data: &[u8]) -> Vec<u8> {
        let mut w = SealWriter::new(&key(7), Vec::new()).unwrap();
        // Odd write sizes: chunk boundaries fall inside writes.
        for part in data.chunks(10_007) {
            w.write_all(part).unwrap();
        }
        w.finish().unwrap()
    }

    fn open(sealed: &[u8], k: &FileKey) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        OpenReader::new(k, sealed)?.read_to_end(&mut out)?;
        Ok(out)
    }

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 % 251) as u8).collect()
    }

    #[test]
    fn round_trips_every_length_around_the_chunk_size() {
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 5] {
            let plain = data(len);
            let sealed = seal(&plain);
            assert!(is_sealed(&sealed));
            let chunks = len.div_ceil(CHUNK).max(1);
            assert_eq!(sealed.len(), HEADER + len + chunks * TAG, "length {len}");
            assert_eq!(open(&sealed, &key(7)).unwrap(), plain, "length {len}");
        }
    }

    #[test]
    fn the_plaintext_does_not_show_and_two_seals_differ() {
        let plain = b"Jan Kowalski, 12 rue de la Paix".repeat(100);
        let (a, b) = (seal(&plain), seal(&plain));
        assert_ne!(a, b);
        assert!(!a.windows(12).any(|w| w == b"Jan Kowalski"));
    }

    #[test]
    fn any_change_cut_or_reorder_fails_to_open() {
        let plain = data(2 * CHUNK + 100);
        let sealed = seal(&plain);
        assert!(open(&sealed, &key(8)).is_err(), "another key");
        for at in [0, 9, HEADER, HEADER + CHUNK, sealed.len() - 1] {
            let mut bad = sealed.clone();
            bad[at] ^= 1;
            assert!(open(&bad, &key(7)).is_err(), "flipped byte at {at}");
        }
        let chunk = CHUNK + TAG;
        // Cut at a chunk boundary (the file would otherwise end in a valid-looking chunk) and anywhere else.
        for len in [HEADER, HEADER + chunk, HEADER + 2 * chunk, sealed.len() - 1, 3] {
            assert!(open(&sealed[..len], &key(7)).is_err(), "cut at {len}");
        }
        let mut swapped = sealed[..HEADER].to_vec();
        swapped.extend_from_slice(&sealed[HEADER + chunk..HEADER + 2 * chunk]);
        swapped.extend_from_slice(&sealed[HEADER..HEADER + chunk]);
        swapped.extend_from_slice(&sealed[HEADER + 2 * chunk..]);
        assert!(open(&swapped, &key(7)).is_err(), "chunks swapped");
        let mut unfinished = SealWriter::new(&key(7), Vec::new()).unwrap();
        unfinished.write_all(&plain).unwrap();
        let partial = std::mem::take(&mut unfinished.out);
        assert!(open(&partial, &key(7)).is_err(), "a writer that never finished");
    }
}
