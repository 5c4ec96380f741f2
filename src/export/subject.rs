//! The requester's copy of their data (access, portability) as one ZIP: the original files, one CSV per tabular
//! source (spreadsheets converted sheet by sheet; the typed fields in `data/fields.csv`), `data.json` (described by
//! docs/subject-export.schema.json), `index.html` (readable offline, no script), `README.txt` (the Art 15(1)
//! information) and `manifest.json` (SHA-256 and size of every other file). Files are streamed through the archive,
//! so memory stays flat whatever their size; with a password every entry is AES-256 encrypted.

use std::collections::BTreeMap;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::archive::{self, Archive, Written, component};
use super::csv_out::CsvOut;
use crate::domain::Article15Info;
use crate::error::{Error, Result};

pub const FORMAT: &str = "rightsdesk-subject-export/1";

/// Everything the archive says, as written to `data.json` and shown by `index.html` and `README.txt`.
#[derive(Debug, Clone, Serialize)]
pub struct Contents {
    pub format: &'static str,
    pub generated_at: String,
    /// The language index.html and README.txt are written in.
    pub language: String,
    /// `all` (access) or `provided` (portability: only the data the person provided).
    pub scope: &'static str,
    pub request: RequestInfo,
    pub subject: SubjectInfo,
    pub controller: ControllerInfo,
    pub information: Information,
    pub systems: Vec<SystemData>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RequestInfo {
    pub reference: String,
    pub kind: String,
    pub received: String,
    pub regime: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubjectInfo {
    pub name: String,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControllerInfo {
    pub name: String,
    pub address: String,
    pub email: String,
    pub dpo: String,
}

/// The information owed with a copy of the data (GDPR Art 15(1)(a)–(h) and 15(2)).
#[derive(Debug, Clone, Serialize)]
pub struct Information {
    #[serde(flatten)]
    pub art15: Article15Info,
    pub rights: String,
    pub complaint: String,
    pub authority: Option<AuthorityInfo>,
    pub remedy: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AuthorityInfo {
    pub name: String,
    pub address: String,
    pub website: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SystemData {
    pub name: String,
    /// What the data map says the system holds.
    pub holds: String,
    pub categories: Vec<CategoryData>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryData {
    pub name: String,
    pub fields: Vec<FieldData>,
    pub files: Vec<FileData>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldData {
    pub label: String,
    pub value: String,
    pub provided: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileData {
    pub name: String,
    /// Where it is in the archive (set when written).
    pub path: String,
    pub media_type: &'static str,
    pub size: u64,
    pub sha256: String,
    pub provided: bool,
    /// The CSV files made from it (a spreadsheet's sheets), or its own path for a CSV file.
    pub tables: Vec<String>,
    /// The managed copy to read.
    #[serde(skip)]
    pub source: PathBuf,
}

/// The words of index.html and README.txt in one language (`data/subject-export/words.toml`). Every key is
/// required, so a language missing a translation fails the shipped-data test instead of showing a blank.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    pub title: String,
    pub meta: String,
    pub portability: String,
    pub contents: String,
    pub about: String,
    pub how_to: String,
    pub who: String,
    pub dpo: String,
    pub purposes: String,
    pub categories: String,
    pub recipients: String,
    pub retention: String,
    pub source: String,
    pub automated: String,
    pub transfers: String,
    pub your_rights: String,
    pub rights: String,
    pub complaints: String,
    pub field: String,
    pub value: String,
    pub provided: String,
    pub yes: String,
    pub no: String,
    pub file: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub size: String,
    pub tables: String,
    pub in_archive: String,
    #[serde(rename = "where")]
    pub where_: String,
    pub index_html: String,
    pub data_json: String,
    pub fields_csv: String,
    pub tables_dir: String,
    pub files_dir: String,
    pub manifest: String,
    pub readme: String,
    pub footer: String,
    /// Between a label and its text (French: a no-break space, then the colon).
    pub colon: String,
    /// Bytes, then KB, MB, GB, TB.
    pub units: [String; 5],
    pub decimal: String,
    pub kinds: KindWords,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindWords {
    pub access: String,
    pub portability: String,
}

static WORDS: OnceLock<std::result::Result<BTreeMap<String, Words>, String>> = OnceLock::new();

fn all_words() -> Result<&'static BTreeMap<String, Words>> {
    WORDS
        .get_or_init(|| toml::from_str(include_str!("../../data/subject-export/words.toml")).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| Error::Corrupt(format!("shipped data subject-export/words.toml: {e}")))
}

/// The languages the export can be written in (codes, as on requests and templates).
pub fn languages() -> Result<Vec<String>> {
    Ok(all_words()?.keys().cloned().collect())
}

/// The words for a language, if the export has them.
pub fn words(lang: &str) -> Result<Option<&'static Words>> {
    Ok(all_words()?.get(lang))
}

/// How the pages speak: their words and the dates written out in that language.
pub struct Wording<'a> {
    pub words: &'a Words,
    pub received_on: String,
    pub prepared_on: String,
}

/// What index.html and README.txt are rendered from: the contents and the wording.
#[derive(Serialize)]
struct Page<'a> {
    #[serde(flatten)]
    contents: &'a Contents,
    t: &'a Words,
    kind: &'a str,
    received_on: &'a str,
    prepared_on: &'a str,
    has_fields: bool,
    has_files: bool,
    has_tables: bool,
}

/// Progress over the bytes of the files to pack: (done, total).
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// Write the archive into `sink` (a new file's buffered writer, or memory), named `out` in messages; the sink is
/// given back once the archive is complete and flushed into it. The files' SHA-256 are checked against
/// `FileData::sha256` as they are read: a managed copy changed on disk since it was gathered stops the export.
pub fn write<W: Write + Seek>(
    contents: &mut Contents,
    wording: &Wording,
    sink: W,
    out: &Path,
    password: Option<&str>,
    open_source: &dyn Fn(&Path) -> Result<Box<dyn std::io::Read + Send>>,
    progress: Progress,
) -> Result<(Written, W)> {
    let mut archive = Archive::into_sink(sink, out, password, &contents.generated_at)?;
    let total: u64 = contents.systems.iter().flat_map(|s| &s.categories).flat_map(|c| &c.files).map(|f| f.size).sum();
    let mut done = 0u64;
    progress(0, total);

    for system in &mut contents.systems {
        for category in &mut system.categories {
            for f in &mut category.files {
                let dir = format!("files/{}/{}", component(&system.name), component(&category.name));
                f.path = archive.name(&dir, &f.name);
                let mut source = open_source(&f.source)?;
                let (sha, size) = archive.stream(&f.path, &mut source, f.size, |n| {
                    done += n;
                    progress(done, total)
                })?;
                if sha != f.sha256 || size != f.size {
                    return Err(Error::invalid(
                        "file",
                        format!(
                            "{} changed on disk since it was gathered (its SHA-256 no longer matches): add it again",
                            f.name
                        ),
                    ));
                }
                f.tables = tables(&mut archive, &system.name, f, open_source)?;
            }
        }
    }

    let fields = fields_csv(contents)?;
    if let Some(csv) = &fields {
        archive.bytes("data/fields.csv", csv)?;
    }
    let json = serde_json::to_vec_pretty(contents).map_err(|e| Error::Export(e.to_string()))?;
    archive.bytes("data.json", &json)?;
    let files = || contents.systems.iter().flat_map(|s| &s.categories).flat_map(|c| &c.files);
    let t = wording.words;
    let page = Page {
        contents,
        t,
        kind: if contents.scope == "provided" { &t.kinds.portability } else { &t.kinds.access },
        received_on: &wording.received_on,
        prepared_on: &wording.prepared_on,
        has_fields: fields.is_some(),
        has_files: files().next().is_some(),
        has_tables: files().any(|f| f.tables.iter().any(|p| p.starts_with("tables/"))),
    };
    archive.bytes("index.html", render("index.html", INDEX_HTML, &page)?.as_bytes())?;
    archive.bytes("README.txt", render("README.txt", README_TXT, &page)?.as_bytes())?;
    archive.finish(FORMAT)
}

/// The CSV tables made from a file: each sheet of a spreadsheet, or the file itself when it is a CSV.
fn tables<W: Write + Seek>(
    archive: &mut Archive<'_, W>,
    system: &str,
    f: &FileData,
    open_source: &dyn Fn(&Path) -> Result<Box<dyn std::io::Read + Send>>,
) -> Result<Vec<String>> {
    let ext = archive::extension(&f.name);
    if ext == "csv" {
        return Ok(vec![f.path.clone()]);
    }
    if !matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "xls" | "ods") {
        return Ok(vec![]);
    }
    use crate::files::{self, sheet};
    // A file that is not a readable spreadsheet, or is over the limits of `files::sheet`, is still packed as it
    // is; it just has no CSV beside it.
    // Read as the register holds it: through its seal in an encrypted register, from the server in a team one.
    let Ok(mut source) = open_source(&f.source) else { return Ok(vec![]) };
    let Ok(bytes) = files::read_within(&mut source, &f.source, files::MAX_SPREADSHEET_BYTES) else { return Ok(vec![]) };
    let Ok(sheets) = sheet::read(&f.name, &bytes, sheet::Which::All) else { return Ok(vec![]) };
    drop(bytes);
    let stem = f.name.rsplit_once('.').map_or(f.name.as_str(), |(s, _)| s).to_string();
    let mut made = vec![];
    for sheet::Sheet { name: sheet, rows } in sheets {
        let mut csv = CsvOut::new(vec![]);
        for row in &rows {
            csv.write_record(row.iter().map(cell_text)).map_err(|e| Error::Export(e.to_string()))?;
        }
        let data = csv.into_inner().map_err(|e| Error::Export(e.to_string()))?;
        let path = archive.name(&format!("tables/{}", component(system)), &format!("{stem} - {sheet}.csv"));
        archive.stream(&path, &mut &data[..], data.len() as u64, |_| {})?;
        made.push(path);
    }
    Ok(made)
}

fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, h, min, s, _) = d.to_ymd_hms_milli();
            if (h, min, s) == (0, 0, 0) {
                format!("{y:04}-{m:02}-{day:02}")
            } else {
                format!("{y:04}-{m:02}-{day:02} {h:02}:{min:02}:{s:02}")
            }
        }
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// The typed fields, one row each; none if no field was typed.
fn fields_csv(contents: &Contents) -> Result<Option<Vec<u8>>> {
    let mut csv = CsvOut::new(vec![]);
    let mut any = false;
    csv.write_record(["system", "category", "field", "value", "provided_by_you"])
        .map_err(|e| Error::Export(e.to_string()))?;
    for s in &contents.systems {
        for c in &s.categories {
            for f in &c.fields {
                any = true;
                csv.write_record([
                    s.name.as_str(),
                    c.name.as_str(),
                    f.label.as_str(),
                    f.value.as_str(),
                    if f.provided { "yes" } else { "no" },
                ])
                .map_err(|e| Error::Export(e.to_string()))?;
            }
        }
    }
    let data = csv.into_inner().map_err(|e| Error::Export(e.to_string()))?;
    Ok(any.then_some(data))
}

const INDEX_HTML: &str = include_str!("../../data/subject-export/index.html");
const README_TXT: &str = include_str!("../../data/subject-export/README.txt");

fn render(name: &str, source: &str, page: &Page) -> Result<String> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    let (units, decimal) = (page.t.units.clone(), page.t.decimal.clone());
    env.add_filter("bytes", move |n: u64| human_size(n, &units, &decimal));
    // Percent-encoded to [A-Za-z0-9-._~/%] only, so nothing is left to escape.
    env.add_filter("href", |path: String| minijinja::Value::from_safe_string(href(&path)));
    env.add_filter("basename", |path: String| path.rsplit('/').next().unwrap_or_default().to_string());
    env.add_template(name, source).map_err(|e| Error::Export(format!("{name}: {e}")))?;
    let t = env.get_template(name).map_err(|e| Error::Export(format!("{name}: {e}")))?;
    t.render(minijinja::Value::from(minijinja::value::Serde(page))).map_err(|e| Error::Export(format!("{name}: {e}")))
}

/// A size as a person reads it, in the page's units (`units[0]` for bytes) and decimal separator.
pub fn human_size(n: u64, units: &[String; 5], decimal: &str) -> String {
    if n < 1024 {
        return format!("{n} {}", units[0]);
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 1;
    while v >= 1024.0 && unit < units.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", units[unit]).replacen('.', decimal, 1)
}

/// A relative link to an entry: each byte outside the unreserved set percent-encoded ('#', '%', '?' break links).
fn href(path: &str) -> String {
    path.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub fn media_type(name: &str) -> &'static str {
    match archive::extension(name).as_str() {
        "csv" => "text/csv",
        "json" => "application/json",
        "txt" | "log" => "text/plain",
        "html" | "htm" => "text/html",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "eml" => "message/rfc822",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xls" => "application/vnd.ms-excel",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_a_person_reads_them() {
        let en = &words("en").unwrap().unwrap().units;
        assert_eq!(human_size(512, en, "."), "512 bytes");
        assert_eq!(human_size(2048, en, "."), "2.0 KB");
        assert_eq!(human_size(5 * 1024 * 1024 + 1024 * 512, en, "."), "5.5 MB");
        let fr = words("fr").unwrap().unwrap();
        assert_eq!(human_size(5 * 1024 * 1024 + 1024 * 512, &fr.units, &fr.decimal), "5,5 Mo");
        assert_eq!(human_size(3 * 1024_u64.pow(4) * 1024, &fr.units, &fr.decimal), "3072,0 To");
    }

    #[test]
    fn every_language_of_the_export_has_every_word_and_fills_its_placeholders() {
        let langs = languages().unwrap();
        assert!(langs.len() >= 4, "{langs:?}");
        // Every language the letters ship in is also one the export speaks.
        for lang in ["en", "fr", "nl", "de"] {
            assert!(langs.iter().any(|l| l == lang), "{lang} missing");
        }
        for lang in &langs {
            let w = words(lang).unwrap().unwrap();
            for (key, text, holes) in [
                ("title", &w.title, &["{org}"][..]),
                ("meta", &w.meta, &["{name}", "{reference}", "{kind}", "{received}", "{date}"][..]),
                ("data_json", &w.data_json, &["{format}"][..]),
                ("footer", &w.footer, &["{org}", "{date}", "{reference}"][..]),
            ] {
                for hole in holes {
                    assert!(text.contains(hole), "{lang}.{key} lacks {hole}");
                }
            }
        }
    }
}
