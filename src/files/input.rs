//! A file handed to an operation: a path a person named on the command line, or a file the officer chose in the
//! OS's dialog (or dropped on the window), which the window names only by the token the shell gave it
//! ([`super::chosen`]). Both are read through the bounded path readers. The window can only send a token: a path
//! from the webview would let a page read any file the user can into the register.

use std::io::{Cursor, Read};
use std::path::PathBuf;

use serde::{Deserialize, Deserializer};

use super::{check_len, chosen, open_input, read_error};
use crate::error::Result;
use crate::intake::Source;

#[derive(Debug, Clone)]
pub enum FileInput {
    /// Chosen in the OS's dialog or dropped on the window: the shell registered its path under this token.
    Chosen { token: String },
    /// A file on this computer (the command line).
    Path { path: PathBuf },
    /// Bytes already read (the command line keeps the .eml it parsed, not the path read again).
    Bytes { name: String, bytes: Vec<u8> },
}

/// A file as the window names it (its TypeScript type: operations' file fields are typed as this): the token
/// `chooseFiles` or a drop on the window gave.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(deny_unknown_fields)]
pub struct FileToken {
    pub chosen: String,
}

impl<'de> Deserialize<'de> for FileInput {
    /// Only a token: a path arrives only through the command line (`FromStr`).
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<FileInput, D::Error> {
        let FileToken { chosen } = FileToken::deserialize(d)?;
        Ok(FileInput::Chosen { token: chosen })
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

fn own_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

impl FileInput {
    /// The file's own name (no folder), as it is kept and shown.
    pub fn name(&self) -> String {
        match self {
            FileInput::Chosen { token } => {
                chosen::resolve(token).map_or_else(|_| "the chosen file".to_string(), |(_, name)| name)
            }
            FileInput::Path { path } => own_name(path),
            FileInput::Bytes { name, .. } => name.clone(),
        }
    }

    /// Where its content is: the command line's path, the one the shell registered under the token, or bytes held.
    fn content(&self) -> Result<Content<'_>> {
        match self {
            FileInput::Chosen { token } => chosen::resolve(token).map(|(path, _)| Content::At(path)),
            FileInput::Path { path } => Ok(Content::At(path.clone())),
            FileInput::Bytes { name, bytes } => Ok(Content::Held(name, bytes)),
        }
    }

    /// Its content as a stream, refused beyond `limit` bytes.
    pub fn open(&self, limit: u64) -> Result<Box<dyn Read + Send>> {
        match self.content()? {
            Content::At(path) => Ok(Box::new(open_input(&path, limit)?)),
            Content::Held(name, bytes) => {
                check_len(name, bytes.len() as u64, limit)?;
                Ok(Box::new(Cursor::new(bytes.to_vec())))
            }
        }
    }

    /// Its whole content, refused beyond `limit` bytes.
    pub fn read(&self, limit: u64) -> Result<Vec<u8>> {
        match self.content()? {
            Content::At(path) => {
                let mut bytes = Vec::new();
                open_input(&path, limit)?.read_to_end(&mut bytes).map_err(|e| read_error(&path, e))?;
                Ok(bytes)
            }
            Content::Held(name, bytes) => {
                check_len(name, bytes.len() as u64, limit)?;
                Ok(bytes.to_vec())
            }
        }
    }

    /// As a table to import (a path is streamed, not read whole).
    pub fn into_source(self, limit: u64) -> Result<Source> {
        match self.content()? {
            Content::At(path) => Ok(Source::Path(path)),
            Content::Held(..) => Ok(Source::Bytes { name: self.name(), bytes: self.read(limit)? }),
        }
    }
}

enum Content<'a> {
    At(PathBuf),
    Held(&'a str, &'a [u8]),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_file_is_read_through_its_token_within_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("scan.pdf");
        std::fs::write(&f, b"hello").unwrap();
        let token = chosen::register(&f).unwrap().token;
        let input: FileInput = serde_json::from_value(serde_json::json!({ "chosen": token })).unwrap();
        assert_eq!(input.name(), "scan.pdf");
        assert_eq!(input.read(10).unwrap(), b"hello");
        let e = input.read(3).unwrap_err();
        assert_eq!(e.field(), Some("file"));
        assert!(matches!(input.into_source(10).unwrap(), Source::Path(p) if p == f));
    }

    #[test]
    fn an_unknown_token_is_refused_with_a_way_forward() {
        let input: FileInput = serde_json::from_value(serde_json::json!({ "chosen": "feedface" })).unwrap();
        for e in [input.read(10).unwrap_err(), input.open(10).err().unwrap(), input.into_source(10).err().unwrap()] {
            assert_eq!(e.field(), Some("file"));
            assert!(e.to_string().contains("choose it again"), "{e}");
        }
    }

    #[test]
    fn a_path_names_its_file_and_bytes_keep_their_limit() {
        let f: FileInput = "/tmp/letters/a.eml".parse().unwrap();
        assert_eq!(f.name(), "a.eml");
        let b = FileInput::Bytes { name: "m.eml".into(), bytes: vec![0; 100] };
        assert_eq!(b.read(100).unwrap().len(), 100);
        assert!(b.read(10).unwrap_err().to_string().contains("m.eml"));
    }

    #[test]
    fn the_window_cannot_name_a_path_or_send_bytes() {
        for sent in [
            serde_json::json!({"path": "/home/officer/.ssh/id_ed25519"}),
            serde_json::json!({"chosen": "x", "path": "/etc/shadow"}),
            serde_json::json!({"name": "a", "content_base64": "aGVsbG8="}),
            serde_json::json!({"name": "a", "bytes": [104, 105]}),
            serde_json::json!("/etc/passwd"),
        ] {
            assert!(serde_json::from_value::<FileInput>(sent.clone()).is_err(), "{sent}");
        }
    }
}
