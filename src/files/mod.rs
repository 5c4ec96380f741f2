//! Files from outside: every path a person gives (import, .eml, attachments, evidence, disclosures, logo, CA
//! certificate, mapping, template body) and every parse of their content. The limits live here, in one place, and
//! are documented in docs/security-files.md. A file is read only if it is a regular file (a FIFO or a device would
//! hang or never end), never past its limit (checked before reading and again while streaming, since a file can
//! grow), and every parser of untrusted bytes runs behind [`guard`], so a panic inside a dependency becomes a
//! refusal of that file instead of a crash.

pub mod chosen;
pub mod container;
mod input;
pub mod sheet;

pub use chosen::ChosenFile;
pub use input::{FileInput, FileToken};

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use crate::error::{Error, Result};

const MIB: u64 = 1024 * 1024;

/// A file to import (CSV or spreadsheet).
pub const MAX_IMPORT_BYTES: u64 = 100 * MIB;
/// A file kept with a request: attachment, identity evidence, disclosed file, checklist proof.
pub const MAX_ATTACHMENT_BYTES: u64 = 512 * MIB;
/// An email message (.eml); a request with a scanned ID attached can be large, beyond this it is not a request.
pub const MAX_EML_BYTES: u64 = 50 * MIB;
/// The letterhead logo.
pub const MAX_LOGO_BYTES: u64 = 10 * MIB;
/// Small text inputs: an import mapping, a template body, a CA certificate.
pub const MAX_SMALL_FILE_BYTES: u64 = MIB;
/// A spreadsheet converted to CSV in a subject export (a larger one is still packed, without CSV beside it).
pub const MAX_SPREADSHEET_BYTES: u64 = MAX_IMPORT_BYTES;
/// Entries in a ZIP container (xlsx, xlsb, ods).
pub const MAX_ZIP_ENTRIES: usize = 10_000;
/// The declared size of all a container's entries once decompressed (the ZIP reader refuses an entry that
/// inflates past its declared size, so the declaration bounds the work).
pub const MAX_UNPACKED_BYTES: u64 = 256 * MIB;
/// Decompressed size over compressed size for one entry, checked for entries over [`RATIO_FROM_BYTES`].
pub const MAX_PACK_RATIO: u64 = 100;
/// Entries smaller than this once decompressed may have any ratio (tiny XML parts compress very well).
pub const RATIO_FROM_BYTES: u64 = MIB;
/// Cells of the sheet grid built in memory: the rectangle from the first to the last filled cell, over all the
/// sheets read from one workbook.
pub const MAX_SHEET_CELLS: u64 = 4_000_000;
/// Cell records streamed from one workbook (filled or not): bounds the work on sheets of empty styled cells.
pub const MAX_CELL_RECORDS: u64 = 20_000_000;
/// Wall-clock time a spreadsheet read may take.
pub const MAX_PARSE_TIME: Duration = Duration::from_secs(60);

/// "50 MB", for messages.
pub fn megabytes(bytes: u64) -> String {
    format!("{} MB", bytes.div_ceil(MIB))
}

fn too_large(name: &str, limit: u64) -> Error {
    Error::invalid("file", format!("{name} is over {}: files up to that size can be read here", megabytes(limit)))
}

/// A file opened for reading that refuses to yield more than its limit (the size was checked when it was opened;
/// this catches a file that grows while it is read).
pub struct Input {
    file: File,
    name: String,
    read: u64,
    limit: u64,
    /// The size when it was opened.
    pub len: u64,
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(std::io::Error::new(std::io::ErrorKind::FileTooLarge, too_large(&self.name, self.limit)));
        }
        Ok(n)
    }
}

/// Open a file a person named: it must be a regular file (not a FIFO, device, socket or folder) no larger than
/// `limit`. On Unix it is opened without blocking, so a FIFO is refused instead of waiting for a writer.
pub fn open_input(path: &Path, limit: u64) -> Result<Input> {
    let name = path.display().to_string();
    let file = open_no_block(path).map_err(|e| Error::io(format!("cannot read {name}"), e))?;
    let meta = file.metadata().map_err(|e| Error::io(format!("cannot read {name}"), e))?;
    if !meta.is_file() {
        let what = if meta.is_dir() { "a folder" } else { "not a regular file (a pipe, device or socket)" };
        return Err(Error::invalid("file", format!("{name} is {what}: only regular files can be read")));
    }
    if meta.len() > limit {
        return Err(too_large(&name, limit));
    }
    Ok(Input { file, name, read: 0, limit, len: meta.len() })
}

#[cfg(unix)]
fn open_no_block(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
fn open_no_block(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// The whole content of a file a person named, within `limit` (see [`open_input`]).
pub fn read_input(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let mut input = open_input(path, limit)?;
    let mut bytes = Vec::with_capacity(usize::try_from(input.len).unwrap_or(0));
    input.read_to_end(&mut bytes).map_err(|e| read_error(path, e))?;
    Ok(bytes)
}

/// The whole content of `reader` (`name` in messages), refused past `limit` bytes without reading further.
pub fn read_within(reader: &mut dyn Read, name: &Path, limit: u64) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes).map_err(|e| read_error(name, e))?;
    check_len(&name.display().to_string(), bytes.len() as u64, limit)?;
    Ok(bytes)
}

/// As [`read_input`], for UTF-8 text.
pub fn read_input_text(path: &Path, limit: u64) -> Result<String> {
    String::from_utf8(read_input(path, limit)?)
        .map_err(|_| Error::invalid("file", format!("{} is not UTF-8 text", path.display())))
}

/// A read error, keeping the limit's refusal as what it is (bad input, not a broken disk).
pub fn read_error(path: &Path, e: std::io::Error) -> Error {
    if !e.get_ref().is_some_and(|inner| inner.is::<Error>()) {
        return Error::io(format!("cannot read {}", path.display()), e);
    }
    match e.into_inner().map(|inner| inner.downcast::<Error>()) {
        Some(Ok(limit)) => *limit,
        _ => Error::invalid("file", format!("cannot read {}", path.display())),
    }
}

/// Refuse bytes already in memory over `limit`.
pub fn check_len(name: &str, len: u64, limit: u64) -> Result<()> {
    if len > limit { Err(too_large(name, limit)) } else { Ok(()) }
}

/// Run a parser of untrusted bytes. A panic inside it (a dependency's arithmetic overflow on a crafted cell
/// reference, say) is caught here and reported as a file that cannot be read, never a crash.
pub fn guard<T>(name: &str, parse: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse)).unwrap_or_else(|_| {
        Err(Error::invalid("file", format!("{name} is damaged or hostile: its reader failed on it")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_parser_is_a_refused_file() {
        let e = guard("x.xlsx", || -> Result<()> { panic!("overflow") }).unwrap_err();
        assert_eq!(e.code(), "invalid");
        assert!(e.to_string().contains("x.xlsx"), "{e}");
    }

    #[test]
    fn regular_files_only_and_within_their_limit() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.txt");
        std::fs::write(&f, b"12345").unwrap();
        assert_eq!(read_input(&f, 5).unwrap(), b"12345");
        assert!(read_input(&f, 4).unwrap_err().to_string().contains("over 1 MB"));
        assert!(read_input(dir.path(), 10).unwrap_err().to_string().contains("a folder"));
        #[cfg(unix)]
        {
            let e = read_input(Path::new("/dev/zero"), 10).unwrap_err();
            assert_eq!(e.code(), "invalid", "{e}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_growing_file_stops_at_its_limit() {
        // /dev/zero never ends; its metadata says 0 bytes, which is what a file that grows looks like.
        let mut input =
            Input { file: File::open("/dev/zero").unwrap(), name: "zero".into(), read: 0, limit: 1000, len: 0 };
        let mut sink = Vec::new();
        let e = input.read_to_end(&mut sink).unwrap_err();
        assert!(matches!(read_error(Path::new("zero"), e), Error::Invalid { .. }));
    }
}
