//! A ZIP written entry by entry, streamed: safe entry names (no path traversal, no two names differing only by
//! case), deflate at level 6 except for formats already compressed, optional AES-256 for every entry, the SHA-256
//! and size of each entry kept for `manifest.json`. Used by the subject export and the evidence pack. Written to
//! any seekable sink: a file (through [`crate::safe_file::Output`]), or memory for a copy that goes by email, held
//! to a size by [`Bounded`] so that nothing of the requester's data is ever written plain to disk for it.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use serde::Serialize;
use zip::write::FileOptions;
use zip::{AesMode, CompressionMethod, ZipWriter};

use crate::error::{Error, Result};
use crate::hash::Hasher;

#[derive(Debug, Clone, Serialize)]
pub struct ManifestEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// What was written: the entries (the manifest excluded) and the archive's size.
#[derive(Debug, Clone)]
pub struct Written {
    pub entries: Vec<ManifestEntry>,
    pub bytes: u64,
}

pub struct Archive<'a, W: Write + Seek> {
    zip: ZipWriter<W>,
    password: Option<&'a str>,
    at: zip::DateTime,
    /// Names taken, lower-cased: no two entries may differ only by case (they would collide on Windows and macOS).
    names: HashSet<String>,
    entries: Vec<ManifestEntry>,
    out: &'a Path,
}

/// The buffer between an archive and its file: large writes, few system calls.
pub const FILE_BUFFER: usize = 256 * 1024;

/// An archive's file, buffered.
pub fn buffered(file: File) -> BufWriter<File> {
    BufWriter::with_capacity(FILE_BUFFER, file)
}

impl<'a> Archive<'a, BufWriter<File>> {
    /// A new archive written to `file` (opened through [`crate::safe_file::Output`]; `out` is its name, for
    /// messages); entries are dated `timestamp` (RFC 3339).
    pub fn create(file: File, out: &'a Path, password: Option<&'a str>, timestamp: &str) -> Result<Self> {
        Archive::into_sink(buffered(file), out, password, timestamp)
    }
}

impl<'a, W: Write + Seek> Archive<'a, W> {
    /// A new archive written to `sink` (a buffered file, memory); `out` names it in messages.
    pub fn into_sink(sink: W, out: &'a Path, password: Option<&'a str>, timestamp: &str) -> Result<Self> {
        Ok(Archive {
            zip: ZipWriter::new(sink),
            password,
            at: zip_time(timestamp),
            names: HashSet::new(),
            entries: Vec::new(),
            out,
        })
    }

    /// A free name for `file` in `dir` ("name (2).ext" when taken).
    pub fn name(&mut self, dir: &str, file: &str) -> String {
        let clean = component(file);
        let (stem, ext) = match clean.rsplit_once('.') {
            Some((s, e)) if !s.is_empty() && e.len() <= 10 => (s.to_string(), format!(".{e}")),
            _ => (clean.clone(), String::new()),
        };
        let mut n = 1;
        loop {
            let candidate = if n == 1 { format!("{dir}/{stem}{ext}") } else { format!("{dir}/{stem} ({n}){ext}") };
            if self.names.insert(candidate.to_lowercase()) {
                return candidate;
            }
            n += 1;
        }
    }

    fn options(&self, path: &str, size: u64) -> FileOptions<'a, 'static, ()> {
        let method = if already_compressed(path) { CompressionMethod::Stored } else { CompressionMethod::Deflated };
        let mut options = FileOptions::<'a, 'static, ()>::default()
            .compression_method(method)
            .compression_level(if method == CompressionMethod::Deflated { Some(6) } else { None })
            .last_modified_time(self.at)
            .unix_permissions(0o644)
            .large_file(size >= u64::from(u32::MAX) / 2);
        if let Some(p) = self.password {
            options = options.with_aes_encryption(AesMode::Aes256, p);
        }
        options
    }

    /// Stream one entry of about `size` bytes (it decides ZIP64) under a name from [`Archive::name`], returning
    /// its SHA-256 and real size; `read` hears each chunk's length.
    pub fn stream(
        &mut self,
        path: &str,
        from: &mut dyn Read,
        size: u64,
        mut read: impl FnMut(u64),
    ) -> Result<(String, u64)> {
        let options = self.options(path, size);
        self.zip.start_file(path, options).map_err(|e| zip_error(self.out, e))?;
        let mut hasher = Hasher::new();
        let mut size = 0u64;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::io(format!("cannot read the file for {path}"), e)),
            };
            hasher.update(&buf[..n]);
            self.zip.write_all(&buf[..n]).map_err(|e| Error::io(format!("cannot write {}", self.out.display()), e))?;
            size += n as u64;
            read(n as u64);
        }
        let sha256 = hasher.finish_hex();
        self.entries.push(ManifestEntry { path: path.to_string(), size, sha256: sha256.clone() });
        Ok((sha256, size))
    }

    /// A generated entry at a fixed path (the caller's own names: README.txt, data.json…).
    pub fn bytes(&mut self, path: &str, data: &[u8]) -> Result<()> {
        self.names.insert(path.to_lowercase());
        self.stream(path, &mut &data[..], data.len() as u64, |_| {})?;
        Ok(())
    }

    /// Write `manifest.json` (every entry but itself, with `format` and a note), close the archive and flush it
    /// into its sink (a file is synced when [`crate::safe_file::Output`] puts it in place); the sink, back.
    pub fn finish(mut self, format: &str) -> Result<(Written, W)> {
        let manifest = serde_json::json!({
            "format": format,
            "algorithm": "SHA-256",
            "note": "Every file of this archive but this one, with its size in bytes and SHA-256 (as `sha256sum` prints it).",
            "files": self.entries,
        });
        let manifest = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Export(e.to_string()))?;
        let entries = self.entries.clone();
        self.bytes("manifest.json", &manifest)?;
        let out = self.out;
        let io = |e| Error::io(format!("cannot write {}", out.display()), e);
        let mut w = self.zip.finish().map_err(|e| zip_error(out, e))?;
        w.flush().map_err(io)?;
        let bytes = w.seek(SeekFrom::End(0)).map_err(io)?;
        Ok((Written { entries, bytes }, w))
    }
}

/// A sink that takes at most `limit` bytes: an archive built in memory to go with an email stops as soon as it is
/// too large for one, instead of growing as far as the data goes. Past the limit the write that crossed it fails
/// and [`Bounded::exceeded`] says so; what comes after (the ZIP writer closing itself when dropped) is dropped
/// unwritten, since the archive is given up anyway.
pub struct Bounded<W> {
    inner: W,
    limit: u64,
    at: u64,
    exceeded: bool,
}

impl<W: Write + Seek> Bounded<W> {
    pub fn new(inner: W, limit: u64) -> Bounded<W> {
        Bounded { inner, limit, at: 0, exceeded: false }
    }

    /// Something was refused for going past the limit: what the sink holds is not a whole archive.
    pub fn exceeded(&self) -> bool {
        self.exceeded
    }

    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write + Seek> Write for Bounded<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.exceeded {
            return Ok(buf.len());
        }
        if self.at.saturating_add(buf.len() as u64) > self.limit {
            self.exceeded = true;
            return Err(io::Error::other(format!("more than {} bytes", self.limit)));
        }
        let n = self.inner.write(buf)?;
        self.at += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write + Seek> Seek for Bounded<W> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.at = self.inner.seek(pos)?;
        Ok(self.at)
    }
}

/// One safe path component: no separators, no control or reserved characters, no leading dots, not a reserved
/// device name, at most 80 characters.
pub fn component(name: &str) -> String {
    let cleaned: String =
        name.chars()
            .map(|c| {
                if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                    '_'
                } else {
                    c
                }
            })
            .collect();
    let mut cleaned = cleaned.trim().trim_start_matches('.').trim_end_matches(['.', ' ']).to_string();
    if cleaned.chars().count() > 80 {
        let ext = cleaned.rsplit_once('.').map(|(_, e)| e.to_string()).filter(|e| e.len() <= 10);
        let keep = 80 - ext.as_ref().map_or(0, |e| e.len() + 1);
        let stem: String = cleaned.chars().take(keep).collect();
        cleaned = match ext {
            Some(e) => format!("{}.{e}", stem.trim_end()),
            None => stem,
        };
    }
    let stem = cleaned.split('.').next().unwrap_or("").to_ascii_uppercase();
    let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit());
    if cleaned.is_empty() {
        "unnamed".into()
    } else if reserved {
        format!("_{cleaned}")
    } else {
        cleaned
    }
}

pub fn extension(name: &str) -> String {
    name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default()
}

/// Formats that are compressed already: deflating them again costs time and gains nothing.
fn already_compressed(path: &str) -> bool {
    matches!(
        extension(path).as_str(),
        "jpg"
            | "jpeg"
            | "png"
            | "gif"
            | "webp"
            | "heic"
            | "heif"
            | "avif"
            | "mp3"
            | "mp4"
            | "m4a"
            | "mov"
            | "avi"
            | "mkv"
            | "webm"
            | "ogg"
            | "zip"
            | "gz"
            | "tgz"
            | "bz2"
            | "xz"
            | "7z"
            | "rar"
            | "zst"
            | "docx"
            | "xlsx"
            | "pptx"
            | "odt"
            | "ods"
            | "odp"
            | "epub"
    )
}

fn zip_time(timestamp: &str) -> zip::DateTime {
    let parse = |from: usize, len: usize| timestamp.get(from..from + len).and_then(|s| s.parse::<u16>().ok());
    let made = (|| {
        let (y, mo, d) = (parse(0, 4)?, parse(5, 2)?, parse(8, 2)?);
        let (h, mi, s) = (parse(11, 2).unwrap_or(0), parse(14, 2).unwrap_or(0), parse(17, 2).unwrap_or(0));
        zip::DateTime::from_date_and_time(y, mo as u8, d as u8, h as u8, mi as u8, s as u8).ok()
    })();
    made.unwrap_or_default()
}

fn zip_error(out: &Path, e: zip::result::ZipError) -> Error {
    match e {
        zip::result::ZipError::Io(e) => Error::io(format!("cannot write {}", out.display()), e),
        other => Error::Export(format!("{}: {other}", out.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_safe() {
        assert_eq!(component("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(component("..\\..\\boot.ini"), "_.._boot.ini");
        assert_eq!(component("  .hidden "), "hidden");
        assert_eq!(component(""), "unnamed");
        assert_eq!(component("..."), "unnamed");
        assert_eq!(component("CON.txt"), "_CON.txt");
        assert_eq!(component("com1"), "_com1");
        assert_eq!(component("a\u{0}b\nc"), "a_b_c");
        let long = format!("{}.pdf", "x".repeat(200));
        let c = component(&long);
        assert_eq!(c.chars().count(), 80);
        assert!(c.ends_with(".pdf"));
        assert_eq!(component("Rapport – été.pdf"), "Rapport – été.pdf");
    }

    #[test]
    fn names_never_collide_even_by_case() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("names.zip");
        let mut a = Archive::create(File::create(&out).unwrap(), &out, None, "2026-06-30T00:00:00Z").unwrap();
        assert_eq!(a.name("files/CRM", "orders.csv"), "files/CRM/orders.csv");
        assert_eq!(a.name("files/CRM", "Orders.CSV"), "files/CRM/Orders (2).CSV");
        assert_eq!(a.name("files/CRM", "orders.csv"), "files/CRM/orders (3).csv");
        assert_eq!(a.name("files/CRM", "../orders.csv"), "files/CRM/_orders.csv");
        assert_eq!(a.name("files/CRM", "README"), "files/CRM/README");
        assert_eq!(a.name("files/CRM", "readme"), "files/CRM/readme (2)");
    }

    fn sample<W: Write + Seek>(sink: W, out: &Path) -> (Written, W) {
        let mut a = Archive::into_sink(sink, out, None, "2026-06-30T00:00:00Z").unwrap();
        a.bytes("data.json", br#"{"phone": "+353 1 555 0199"}"#).unwrap();
        let name = a.name("files/CRM", "photo.jpg");
        a.stream(&name, &mut &[0xffu8; 5000][..], 5000, |_| {}).unwrap();
        a.finish("test/1").unwrap()
    }

    #[test]
    fn an_archive_in_memory_is_byte_for_byte_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("copy.zip");
        let (in_file, file) = sample(buffered(File::create(&out).unwrap()), &out);
        drop(file);
        let (in_memory, cursor) = sample(io::Cursor::new(Vec::new()), &out);
        let bytes = cursor.into_inner();
        assert_eq!(bytes, std::fs::read(&out).unwrap());
        assert_eq!((in_memory.bytes, in_file.bytes), (bytes.len() as u64, bytes.len() as u64));
        let mut zip = zip::ZipArchive::new(io::Cursor::new(&bytes)).unwrap();
        let manifest: serde_json::Value = serde_json::from_reader(zip.by_name("manifest.json").unwrap()).unwrap();
        assert_eq!(manifest["files"].as_array().unwrap().len(), 2);
        assert_eq!(manifest["files"][1]["path"], "files/CRM/photo.jpg");
    }

    #[test]
    fn a_bounded_sink_stops_the_archive_at_its_limit() {
        let out = Path::new("copy.zip");
        let mut sink = Bounded::new(io::Cursor::new(Vec::new()), 4_000);
        let built = {
            let mut a = Archive::into_sink(&mut sink, out, None, "2026-06-30T00:00:00Z").unwrap();
            a.bytes("small.txt", b"fits").unwrap();
            let noise: Vec<u8> = (0..20_000).map(|_| rand::random::<u8>()).collect();
            let name = a.name("files", "noise.bin");
            // Noise does not compress: past the limit while it is written, or when the entry is closed.
            match a.stream(&name, &mut &noise[..], noise.len() as u64, |_| {}) {
                Ok(_) => a.finish("t").map(|_| ()),
                Err(e) => Err(e),
            }
        };
        assert!(built.is_err());
        assert!(sink.exceeded());
        assert!(sink.into_inner().into_inner().len() <= 4_000, "never more than the limit");
    }
}
