//! The register's files on the server (`migrations/postgres/0004_files.sql`): each file in chunks of at most
//! [`CHUNK`] bytes, written in one transaction (there whole or not at all) and read back chunk by chunk, so a file
//! of any size goes through in constant memory.

use std::io::Read;
use std::sync::Arc;

use postgres::Client;

use super::Pool;
use crate::error::{Error, Result};

const CHUNK: usize = 1024 * 1024;

pub(crate) struct PgFiles {
    pub(super) pool: Arc<Pool>,
    pub(super) read_only: bool,
}

impl PgFiles {
    fn refuse_if_read_only(&self) -> Result<()> {
        if self.read_only {
            Err(Error::ReadOnly("the team register's files (this login may read them, not change them)".into()))
        } else {
            Ok(())
        }
    }

    /// Run `f` in a transaction on a pooled connection; commit when it returns `Ok`.
    fn in_transaction<T>(&self, f: impl FnOnce(&mut postgres::Transaction) -> Result<T>) -> Result<T> {
        let mut client = self.pool.take()?;
        let result = (|| {
            let mut tx = client.transaction()?;
            let value = f(&mut tx)?;
            tx.commit()?;
            Ok(value)
        })();
        self.pool.put_back(client);
        result
    }
}

/// Fill `buf` from `content` as far as it goes (a short read is not the end).
fn fill(content: &mut dyn Read, buf: &mut [u8]) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match content.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io("cannot read the file to store", e)),
        }
    }
    Ok(n)
}

impl crate::store::ServerFiles for PgFiles {
    fn put(&self, name: &str, content: &mut dyn Read, replace: bool) -> Result<u64> {
        self.refuse_if_read_only()?;
        self.in_transaction(|tx| {
            let existing = tx.execute("DELETE FROM stored_files WHERE name = $1", &[&name])?;
            if existing > 0 && !replace {
                return Err(Error::refused(format!("the register already holds a file named {name}")));
            }
            tx.execute("INSERT INTO stored_files (name, size) VALUES ($1, 0)", &[&name])?;
            let mut buf = vec![0u8; CHUNK];
            let mut size = 0u64;
            for n in 0i64.. {
                let got = fill(content, &mut buf)?;
                if got == 0 {
                    break;
                }
                tx.execute(
                    "INSERT INTO stored_file_chunks (name, n, bytes) VALUES ($1, $2, $3)",
                    &[&name, &n, &&buf[..got]],
                )?;
                size += got as u64;
                if got < CHUNK {
                    break;
                }
            }
            let stored = i64::try_from(size).unwrap_or(i64::MAX);
            tx.execute("UPDATE stored_files SET size = $2 WHERE name = $1", &[&name, &stored])?;
            Ok(size)
        })
    }

    fn get(&self, name: &str) -> Result<Box<dyn Read + Send>> {
        let mut client = self.pool.take()?;
        let found = client.query_opt("SELECT size FROM stored_files WHERE name = $1", &[&name])?;
        if found.is_none() {
            self.pool.put_back(client);
            return Err(Error::NotFound { what: "file", key: name.to_string() });
        }
        Ok(Box::new(ChunkReader {
            client: Some(client),
            pool: self.pool.clone(),
            name: name.to_string(),
            next: 0,
            buf: Vec::new(),
            at: 0,
        }))
    }

    fn names(&self) -> Result<Vec<String>> {
        let mut client = self.pool.take()?;
        let rows = client.query("SELECT name FROM stored_files ORDER BY name", &[]);
        self.pool.put_back(client);
        rows?.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    fn exists(&self, name: &str) -> Result<bool> {
        let mut client = self.pool.take()?;
        let found = client.query_opt("SELECT 1 FROM stored_files WHERE name = $1", &[&name]);
        self.pool.put_back(client);
        Ok(found?.is_some())
    }

    fn copy(&self, from: &str, to: &str) -> Result<()> {
        self.refuse_if_read_only()?;
        self.in_transaction(|tx| {
            let copied = tx.execute(
                "INSERT INTO stored_files (name, size) SELECT $2, size FROM stored_files WHERE name = $1",
                &[&from, &to],
            )?;
            if copied == 0 {
                return Err(Error::NotFound { what: "file", key: from.to_string() });
            }
            tx.execute(
                "INSERT INTO stored_file_chunks (name, n, bytes) SELECT $2, n, bytes FROM stored_file_chunks WHERE name = $1",
                &[&from, &to],
            )?;
            Ok(())
        })
    }

    fn remove(&self, name: &str) -> Result<bool> {
        self.refuse_if_read_only()?;
        self.in_transaction(|tx| Ok(tx.execute("DELETE FROM stored_files WHERE name = $1", &[&name])? > 0))
    }

    fn remove_under(&self, prefix: &str) -> Result<u64> {
        self.refuse_if_read_only()?;
        let folder = format!("{}/", prefix.trim_end_matches('/'));
        // A prefix match written without LIKE, whose wildcards a name might hold.
        self.in_transaction(|tx| {
            Ok(tx.execute("DELETE FROM stored_files WHERE left(name, length($1)) = $1", &[&folder])?)
        })
    }
}

/// A stored file read chunk by chunk, each fetched when the last is used up.
struct ChunkReader {
    client: Option<Client>,
    pool: Arc<Pool>,
    name: String,
    next: i64,
    buf: Vec<u8>,
    at: usize,
}

impl Read for ChunkReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.buf.len() {
            let Some(client) = self.client.as_mut() else { return Ok(0) };
            let row = client
                .query_opt("SELECT bytes FROM stored_file_chunks WHERE name = $1 AND n = $2", &[&self.name, &self.next])
                .map_err(std::io::Error::other)?;
            match row {
                Some(row) => {
                    self.buf = row.try_get(0).map_err(std::io::Error::other)?;
                    self.at = 0;
                    self.next += 1;
                }
                None => {
                    if let Some(client) = self.client.take() {
                        self.pool.put_back(client);
                    }
                    return Ok(0);
                }
            }
        }
        let n = out.len().min(self.buf.len() - self.at);
        out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use crate::store::postgres::testing::PostgresEngine;

    /// A file larger than a chunk goes in and comes out whole; a second write under the name is refused unless it
    /// replaces; copies and removals by name and by folder.
    #[test]
    fn files_round_trip_in_chunks() {
        use crate::store::contract::Engine;
        let store = PostgresEngine.fresh();
        let files = store.backend().server_files().unwrap();
        let content: Vec<u8> = (0..(super::CHUNK * 2 + 12345)).map(|i| (i % 251) as u8).collect();
        assert_eq!(files.put("attachments/r1/a", &mut &content[..], false).unwrap(), content.len() as u64);
        let mut back = Vec::new();
        files.get("attachments/r1/a").unwrap().read_to_end(&mut back).unwrap();
        assert!(back == content, "the same bytes");
        let again = files.put("attachments/r1/a", &mut &b"other"[..], false);
        assert!(matches!(again, Err(crate::error::Error::Refused { .. })), "{again:?}");
        files.put("attachments/r1/a", &mut &b"other"[..], true).unwrap();
        files.copy("attachments/r1/a", "evidence/r1/a").unwrap();
        let mut copy = String::new();
        files.get("evidence/r1/a").unwrap().read_to_string(&mut copy).unwrap();
        assert_eq!(copy, "other");
        files.put("attachments/r1/b", &mut &b""[..], false).unwrap();
        files.put("attachments/r10/c", &mut &b"x"[..], false).unwrap();
        assert_eq!(files.remove_under("attachments/r1").unwrap(), 2, "not attachments/r10");
        assert!(files.exists("attachments/r10/c").unwrap());
        assert!(files.exists("evidence/r1/a").unwrap());
        assert!(files.remove("evidence/r1/a").unwrap());
        assert!(!files.remove("evidence/r1/a").unwrap());
        assert!(matches!(files.get("evidence/r1/a"), Err(crate::error::Error::NotFound { .. })));
    }
}
