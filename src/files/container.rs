//! ZIP containers (xlsx, xlsb, ods) checked from their central directory before any entry is decompressed: how
//! many entries, how large they say they are once decompressed, and how much each one expands. The `zip` crate
//! stops an entry that inflates past its declared size, so a lying declaration cannot get past these checks.

use std::io::{Read, Seek};

use super::{MAX_PACK_RATIO, MAX_UNPACKED_BYTES, MAX_ZIP_ENTRIES, RATIO_FROM_BYTES, megabytes};
use crate::error::{Error, Result};

/// Refuse a container whose declared contents exceed the limits (a decompression bomb).
pub fn check_zip(name: &str, reader: impl Read + Seek) -> Result<()> {
    let bad = |why: String| Error::invalid("file", format!("{name} {why}"));
    let archive = zip::ZipArchive::new(reader)
        .map_err(|e| bad(format!("is not a readable spreadsheet (a damaged ZIP container: {e})")))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(bad(format!("holds {} parts; at most {MAX_ZIP_ENTRIES} are read", archive.len())));
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive.by_index_data(i).map_err(|e| bad(format!("has a damaged part list: {e}")))?;
        let size = entry.size();
        total = total.saturating_add(size);
        let packed = entry.compressed_size().max(1);
        if size > RATIO_FROM_BYTES && size / packed > MAX_PACK_RATIO {
            return Err(bad(format!(
                "is a decompression bomb: one part expands {}-fold (to {}); at most {MAX_PACK_RATIO}-fold is read",
                size / packed,
                megabytes(size)
            )));
        }
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(bad(format!(
            "expands to {} once decompressed; at most {} is read",
            megabytes(total),
            megabytes(MAX_UNPACKED_BYTES)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in parts {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn a_bomb_is_refused_and_a_normal_container_passes() {
        let bomb = zip_of(&[("xl/worksheets/sheet1.xml", &vec![b'a'; 8 * 1024 * 1024])]);
        let e = check_zip("bomb.xlsx", Cursor::new(&bomb)).unwrap_err();
        assert!(e.to_string().contains("decompression bomb"), "{e}");
        let fine = zip_of(&[("a.xml", b"<a/>"), ("b.xml", &vec![b'b'; 4096])]);
        check_zip("fine.xlsx", Cursor::new(&fine)).unwrap();
    }
}
