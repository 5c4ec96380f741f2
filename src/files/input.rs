//! A file handed to an operation: a path a person named on the command line, or the bytes the window read itself
//! and sent over its bridge as base64. Both are bounded before anything is read. The window can only send bytes:
//! a path from the webview would let a page read any file the user can into the register.

use std::io::{Cursor, Read};
use std::path::PathBuf;

use base64::Engine;
use serde::{Deserialize, Deserializer};

use super::{MAX_UPLOAD_BYTES, megabytes, open_input, read_error};
use crate::error::{Error, Result};
use crate::intake::Source;

#[derive(Debug, Clone)]
pub enum FileInput {
    /// Read by the window: travels as base64, so it is held to [`MAX_UPLOAD_BYTES`] as well as the caller's limit.
    Upload { name: String, content_base64: String },
    /// A file on this computer.
    Path { path: PathBuf },
}

/// A file as the window sends it (its TypeScript type: operations' file fields are typed as this).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct FileUpload {
    pub name: String,
    pub content_base64: String,
}

impl<'de> Deserialize<'de> for FileInput {
    /// Only an upload: a path arrives only through the command line (`FromStr`).
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<FileInput, D::Error> {
        let FileUpload { name, content_base64 } = FileUpload::deserialize(d)?;
        Ok(FileInput::Upload { name, content_base64 })
    }
}

impl std::str::FromStr for FileInput {
    type Err = std::convert::Infallible;

    /// The command line names files by path.
    fn from_str(s: &str) -> std::result::Result<FileInput, Self::Err> {
        Ok(FileInput::Path { path: PathBuf::from(s) })
    }
}

impl From<PathBuf> for FileInput {
    fn from(path: PathBuf) -> FileInput {
        FileInput::Path { path }
    }
}

impl FileInput {
    /// The file's own name (no folder), as it is kept and shown.
    pub fn name(&self) -> String {
        match self {
            FileInput::Upload { name, .. } => name.clone(),
            FileInput::Path { path } => {
                path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
            }
        }
    }

    /// Its content as a stream, refused beyond `limit` bytes.
    pub fn open(&self, limit: u64) -> Result<Box<dyn Read + Send>> {
        match self {
            FileInput::Upload { .. } => Ok(Box::new(Cursor::new(self.decode(limit)?))),
            FileInput::Path { path } => Ok(Box::new(open_input(path, limit)?)),
        }
    }

    /// Its whole content, refused beyond `limit` bytes.
    pub fn read(&self, limit: u64) -> Result<Vec<u8>> {
        match self {
            FileInput::Upload { .. } => self.decode(limit),
            FileInput::Path { path } => {
                let mut bytes = Vec::new();
                open_input(path, limit)?.read_to_end(&mut bytes).map_err(|e| read_error(path, e))?;
                Ok(bytes)
            }
        }
    }

    /// As a table to import (a path is streamed, not read whole).
    pub fn into_source(self, limit: u64) -> Result<Source> {
        match self {
            FileInput::Path { path } => Ok(Source::Path(path)),
            upload @ FileInput::Upload { .. } => {
                Ok(Source::Bytes { name: upload.name(), bytes: upload.decode(limit)? })
            }
        }
    }

    fn decode(&self, limit: u64) -> Result<Vec<u8>> {
        let FileInput::Upload { name, content_base64 } = self else {
            return self.read(limit);
        };
        let limit = limit.min(MAX_UPLOAD_BYTES);
        let too_large = |bytes: u64| {
            Error::invalid(
                "file",
                format!("{name} is {}; files up to {} can be added here", megabytes(bytes), megabytes(limit)),
            )
        };
        // Refused from its encoded length, before anything is decoded.
        let claimed = (content_base64.len() as u64 / 4) * 3;
        if claimed > limit + 3 {
            return Err(too_large(claimed));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(content_base64.as_bytes())
            .map_err(|e| Error::invalid("file", format!("{name} could not be read ({e})")))?;
        if bytes.len() as u64 > limit {
            return Err(too_large(bytes.len() as u64));
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upload(bytes: &[u8]) -> FileInput {
        FileInput::Upload {
            name: "scan.pdf".into(),
            content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        }
    }

    #[test]
    fn an_upload_is_decoded_within_its_limit() {
        assert_eq!(upload(b"hello").read(10).unwrap(), b"hello");
        let e = upload(&[0u8; 100]).read(10).unwrap_err();
        assert_eq!(e.field(), Some("file"));
        assert!(e.to_string().contains("scan.pdf"), "{e}");
    }

    #[test]
    fn damaged_base64_is_refused_with_the_file_name() {
        let f = FileInput::Upload { name: "id.png".into(), content_base64: "***".into() };
        let e = f.read(1000).unwrap_err();
        assert!(e.to_string().contains("id.png could not be read"), "{e}");
    }

    #[test]
    fn a_path_names_its_file_and_window_json_is_an_upload() {
        let f: FileInput = "/tmp/letters/a.eml".parse().unwrap();
        assert_eq!(f.name(), "a.eml");
        let f: FileInput = serde_json::from_value(serde_json::json!({"name": "a", "content_base64": ""})).unwrap();
        assert!(matches!(f, FileInput::Upload { .. }));
    }

    #[test]
    fn the_window_cannot_name_a_path() {
        for sent in [
            serde_json::json!({"path": "/home/officer/.ssh/id_ed25519"}),
            serde_json::json!({"name": "a", "content_base64": "", "path": "/etc/shadow"}),
        ] {
            assert!(serde_json::from_value::<FileInput>(sent.clone()).is_err(), "{sent}");
        }
    }
}
