//! Text in the PDFs that leave the app (letters, the log report), in any script a requester's or organisation's
//! name may be written in. The fonts ship inside the binary (data/fonts/, docs/fonts.md): DejaVu Sans (Latin,
//! Greek, Cyrillic, Arabic, Hebrew, …) and, for what it lacks, WenQuanYi Micro Hei (Chinese, Japanese, Korean).
//! Each line is put in visual order (Unicode bidi), cut into runs of one font and script, and shaped with
//! allsorts (Arabic letters take their joined forms); pages carry glyph ids with the text each stands for, so
//! copying or extracting the text gives the characters back. Only the glyphs used are embedded (a subset).

use std::collections::BTreeMap;
use std::ops::Range;

use allsorts::binary::read::ReadScope;
use allsorts::font::MatchingPresentation;
use allsorts::font_data::{DynamicFontTableProvider, FontData};
use allsorts::glyph_position::{GlyphLayout, TextDirection};
use allsorts::gsub::{FeatureMask, FeatureMaskExt};
use allsorts::subset::{CmapTarget, SubsetProfile};
use allsorts::{Font, tag};
use printpdf::{
    Codepoint, FontId, Mm, Op, ParsedFont, PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt,
    TextItem,
};
use unicode_bidi::BidiInfo;

use crate::error::{Error, Result};

static REGULAR: &[u8] = include_bytes!("../data/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../data/fonts/DejaVuSans-Bold.ttf");
/// A collection: face 0 is the proportional Micro Hei (face 1 its monospaced twin).
static CJK: &[u8] = include_bytes!("../data/fonts/wqy-microhei.ttc");

/// The weight a piece of text is set in. CJK has no bold face here: it prints regular in a bold line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Face {
    Regular = 0,
    Bold = 1,
    Cjk = 2,
}

const FACES: [(Face, &[u8], &str); 3] = [
    (Face::Regular, REGULAR, "DejaVuSans"),
    (Face::Bold, BOLD, "DejaVuSans-Bold"),
    (Face::Cjk, CJK, "WenQuanYiMicroHei"),
];

struct Loaded {
    font: Font<DynamicFontTableProvider<'static>>,
    units_per_em: f32,
    /// Each glyph used, with the text it stands for (the PDF's ToUnicode map).
    used: BTreeMap<u16, String>,
}

/// A shaped glyph, its widths in thousandths of an em: the font's own (what a PDF viewer advances by) and the
/// shaper's advance and horizontal offset.
struct Placed {
    gid: u16,
    stands_for: String,
    own: f32,
    advance: f32,
    dx: f32,
}

/// One run of glyphs in one font, in the order they are drawn, with its width in thousandths of an em.
struct Piece {
    face: Face,
    items: Vec<TextItem>,
    width: f32,
}

/// Lays text out for one PDF document, remembering the glyphs it used so that [`Typesetter::save`] embeds just
/// those.
pub struct Typesetter {
    faces: Vec<Loaded>,
}

fn font_error(what: &str, e: impl std::fmt::Debug) -> Error {
    Error::Export(format!("the embedded font {what} cannot be used: {e:?}"))
}

impl Typesetter {
    pub fn new() -> Result<Typesetter> {
        let faces = FACES
            .iter()
            .map(|(_, bytes, name)| {
                let data = ReadScope::new(bytes).read::<FontData<'static>>().map_err(|e| font_error(name, e))?;
                let provider = data.table_provider(0).map_err(|e| font_error(name, e))?;
                let font = Font::new(provider).map_err(|e| font_error(name, e))?;
                let units_per_em = f32::from(font.head_table.units_per_em.max(1));
                Ok(Loaded { font, units_per_em, used: BTreeMap::new() })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Typesetter { faces })
    }

    /// Draw one line of text with its left end at (`x`, `y`) mm.
    pub fn text(&mut self, ops: &mut Vec<Op>, weight: Weight, size: f32, x: f32, y: f32, s: &str) {
        let pieces = self.layout(weight, s);
        if pieces.is_empty() {
            return;
        }
        ops.extend([Op::StartTextSection, Op::SetTextCursor { pos: Point::new(Mm(x), Mm(y)) }]);
        for piece in pieces {
            ops.push(Op::SetFont { font: PdfFontHandle::External(font_id(piece.face)), size: Pt(size) });
            ops.push(Op::ShowText { items: piece.items });
        }
        ops.push(Op::EndTextSection);
    }

    /// How wide a line prints, in mm.
    pub fn width(&mut self, weight: Weight, size: f32, s: &str) -> f32 {
        let em: f32 = self.layout(weight, s).iter().map(|p| p.width).sum();
        em / 1000.0 * size * 25.4 / 72.0
    }

    /// Break text into lines no wider than `width` mm, at spaces where possible (a word too long for a line is
    /// cut where it reaches the edge).
    pub fn wrap(&mut self, text: &str, weight: Weight, size: f32, width: f32) -> Vec<String> {
        let mut out = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            for word in paragraph.split(' ') {
                let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
                if !line.is_empty() && self.width(weight, size, &candidate) > width {
                    out.push(std::mem::take(&mut line));
                    line = word.to_string();
                } else {
                    line = candidate;
                }
                while self.width(weight, size, &line) > width {
                    let cut = self.fitting(weight, size, width, &line);
                    let rest = line.split_off(cut);
                    out.push(std::mem::replace(&mut line, rest));
                }
            }
            out.push(line);
        }
        out
    }

    /// The byte length of the longest head of `line` that fits (one character at least, so wrapping ends).
    fn fitting(&mut self, weight: Weight, size: f32, width: f32, line: &str) -> usize {
        let mut ends = line.char_indices().map(|(i, c)| i + c.len_utf8());
        let mut cut = ends.next().unwrap_or(line.len());
        for end in ends {
            if self.width(weight, size, &line[..end]) > width {
                break;
            }
            cut = end;
        }
        cut
    }

    /// The line in visual order: bidi runs (right-to-left ones reversed), each cut where the font or the script
    /// changes, each piece shaped.
    fn layout(&mut self, weight: Weight, s: &str) -> Vec<Piece> {
        let primary = if weight == Weight::Bold { Face::Bold } else { Face::Regular };
        let bidi = BidiInfo::new(s, None);
        let mut pieces = Vec::new();
        for paragraph in &bidi.paragraphs {
            let (levels, runs) = bidi.visual_runs(paragraph, paragraph.range.clone());
            for run in runs {
                let rtl = levels.get(run.start).is_some_and(|l| l.is_rtl());
                let mut shaped: Vec<Piece> = self
                    .segments(primary, &s[run.clone()])
                    .into_iter()
                    .map(|(face, script, range)| {
                        let text = &s[run.start + range.start..run.start + range.end];
                        self.shape(face, script, text, rtl)
                    })
                    .collect();
                if rtl {
                    shaped.reverse();
                }
                pieces.extend(shaped);
            }
        }
        pieces
    }

    fn has(&mut self, face: Face, c: char) -> bool {
        self.faces[face as usize].font.lookup_glyph_index(c, MatchingPresentation::NotRequired, None).0 != 0
    }

    /// Cut text (one bidi run, logical order) where the font or the script changes. Spaces, digits and
    /// punctuation stay with the run they are in when its font has them.
    fn segments(&mut self, primary: Face, text: &str) -> Vec<(Face, u32, Range<usize>)> {
        let mut out: Vec<(Face, Option<u32>, Range<usize>)> = Vec::new();
        for (i, c) in text.char_indices() {
            let script = script_of(c);
            let current = out.last().map(|(f, s, _)| (*f, *s));
            let face = match current {
                Some((f, _)) if script.is_none() && self.has(f, c) => f,
                _ if self.has(primary, c) => primary,
                _ if self.has(Face::Cjk, c) => Face::Cjk,
                // Neither font has it: the primary font's missing-glyph box marks the place.
                _ => primary,
            };
            let end = i + c.len_utf8();
            match out.last_mut() {
                Some((f, s, range)) if *f == face && (script.is_none() || s.is_none() || *s == script) => {
                    range.end = end;
                    if s.is_none() {
                        *s = script;
                    }
                }
                _ => out.push((face, script, i..end)),
            }
        }
        out.into_iter().map(|(f, s, r)| (f, s.unwrap_or(tag::LATN), r)).collect()
    }

    /// Shape one piece (logical order in, drawing order out) into glyph ids, with the pen moves that put each
    /// glyph where the shaper placed it.
    fn shape(&mut self, face: Face, script: u32, text: &str, rtl: bool) -> Piece {
        let loaded = &mut self.faces[face as usize];
        let glyphs = loaded.font.map_glyphs(text, script, MatchingPresentation::NotRequired);
        // The shaper returns what it could apply alongside a first error: that is still the best rendering.
        let infos = match loaded.font.shape(glyphs, script, None, FeatureMask::default_mask(), &[], None, true) {
            Ok(infos) | Err((_, infos)) => infos,
        };
        let direction = if rtl { TextDirection::RightToLeft } else { TextDirection::LeftToRight };
        let positions = GlyphLayout::new(&mut loaded.font, &infos, direction, false).glyph_positions().ok();
        let scale = 1000.0 / loaded.units_per_em;
        let mut glyphs: Vec<Placed> = infos
            .iter()
            .enumerate()
            .map(|(i, info)| {
                let gid = info.glyph.glyph_index;
                let stands_for: String = info.glyph.unicodes.iter().collect();
                let own = f32::from(loaded.font.horizontal_advance(gid).unwrap_or(0));
                let (advance, dx) = match positions.as_ref().and_then(|p| p.get(i)) {
                    Some(p) => (p.hori_advance as f32, p.x_offset as f32),
                    None => (own, 0.0),
                };
                // The viewer advances by the font's own width, truncated to an integer as printpdf writes it.
                Placed { gid, stands_for, own: (own * scale).trunc(), advance: advance * scale, dx: dx * scale }
            })
            .collect();
        if rtl {
            glyphs.reverse();
        }
        for g in &glyphs {
            let entry = loaded.used.entry(g.gid).or_default();
            if entry.is_empty() {
                entry.clone_from(&g.stands_for);
            }
        }
        pen_moves(face, glyphs)
    }

    /// Embed the subset of each font the pages use (glyph ids renumbered to it) and write the document.
    pub fn save(self, mut doc: PdfDocument, mut pages: Vec<PdfPage>) -> Result<Vec<u8>> {
        for ((face, _, name), loaded) in FACES.iter().zip(&self.faces) {
            if loaded.used.is_empty() {
                continue;
            }
            let (font, renumber) = subset(loaded, name)?;
            renumber_glyphs(&mut pages, &font_id(*face), &renumber);
            doc.resources.fonts.map.insert(font_id(*face), PdfFont::new(font));
        }
        let mut warnings = Vec::new();
        Ok(doc.with_pages(pages).save(&PdfSaveOptions::default(), &mut warnings))
    }
}

fn font_id(face: Face) -> FontId {
    FontId(format!("F{}", face as usize + 1))
}

/// Turn shaped glyphs into TJ items: after each glyph, the move from where the viewer's pen stands (the glyph's
/// start plus the font's own width) to where the shaper puts the next one.
fn pen_moves(face: Face, glyphs: Vec<Placed>) -> Piece {
    let width: f32 = glyphs.iter().map(|g| g.advance).sum();
    let mut origin = 0.0;
    let starts: Vec<f32> = glyphs
        .iter()
        .map(|g| {
            let at = origin + g.dx;
            origin += g.advance;
            at
        })
        .collect();
    let mut items = Vec::new();
    if let Some(first) = starts.first().filter(|s| **s != 0.0) {
        items.push(TextItem::Offset(-first));
    }
    let codes = glyphs
        .into_iter()
        .enumerate()
        .map(|(i, g)| {
            let next = starts.get(i + 1).copied().unwrap_or(width);
            let offset = starts[i] + g.own - next;
            Codepoint { gid: g.gid, offset: if offset.abs() < 0.01 { 0.0 } else { offset }, cid: Some(g.stands_for) }
        })
        .collect();
    items.push(TextItem::GlyphIds(codes));
    Piece { face, items, width }
}

/// The used glyphs of one font as a font of their own (glyph 0, the missing-glyph box, first), with the map from
/// the original glyph ids to the subset's.
fn subset(loaded: &Loaded, name: &str) -> Result<(ParsedFont, BTreeMap<u16, u16>)> {
    let ids: Vec<u16> = std::iter::once(0).chain(loaded.used.keys().copied().filter(|g| *g != 0)).collect();
    let provider = &loaded.font.font_table_provider;
    let bytes = allsorts::subset::subset(provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
        .map_err(|e| font_error(name, e))?;
    let mut warnings = Vec::new();
    let mut font = ParsedFont::from_bytes(&bytes, 0, &mut warnings).ok_or_else(|| font_error(name, warnings))?;
    // ISO 32000-1 9.6.4: a subset's name starts with a tag of six capital letters that tells subsets apart.
    font.font_name = Some(format!("{}+{name}", subset_tag(&ids)));
    let renumber = ids.iter().enumerate().map(|(new, old)| (*old, u16::try_from(new).unwrap_or(0))).collect();
    Ok((font, renumber))
}

fn subset_tag(ids: &[u16]) -> String {
    let mut hash: u32 = 2_166_136_261;
    for id in ids {
        hash = (hash ^ u32::from(*id)).wrapping_mul(16_777_619);
    }
    (0..6).map(|i| char::from(b'A' + u8::try_from((hash >> (i * 5)) % 26).unwrap_or(0))).collect()
}

fn renumber_glyphs(pages: &mut [PdfPage], id: &FontId, renumber: &BTreeMap<u16, u16>) {
    for page in pages {
        let mut current = false;
        for op in &mut page.ops {
            match op {
                Op::SetFont { font, .. } => current = matches!(font, PdfFontHandle::External(f) if f == id),
                Op::ShowText { items } if current => {
                    for item in items {
                        if let TextItem::GlyphIds(codes) = item {
                            for code in codes {
                                code.gid = renumber.get(&code.gid).copied().unwrap_or(0);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// The OpenType script a letter belongs to, or `None` for what belongs to any script (spaces, digits,
/// punctuation, combining marks), which takes its neighbours' script.
fn script_of(c: char) -> Option<u32> {
    let script = match u32::from(c) {
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => tag::ARAB,
        0x0590..=0x05FF => u32::from_be_bytes(*b"hebr"),
        0x0370..=0x03FF | 0x1F00..=0x1FFF => tag::GREK,
        0x0400..=0x052F => tag::CYRL,
        0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => u32::from_be_bytes(*b"hang"),
        0x3040..=0x30FF => u32::from_be_bytes(*b"kana"),
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF => u32::from_be_bytes(*b"hani"),
        _ if c.is_alphabetic() => tag::LATN,
        _ => return None,
    };
    Some(script)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(t: &mut Typesetter, s: &str) -> Vec<(Face, Vec<u16>)> {
        t.layout(Weight::Regular, s)
            .into_iter()
            .map(|p| {
                let ids = p
                    .items
                    .iter()
                    .flat_map(|i| match i {
                        TextItem::GlyphIds(c) => c.iter().map(|c| c.gid).collect(),
                        _ => vec![],
                    })
                    .collect();
                (p.face, ids)
            })
            .collect()
    }

    #[test]
    fn each_script_gets_a_font_that_has_it() {
        let mut t = Typesetter::new().unwrap();
        for s in ["Łukasz Żółć", "Ωμέγα", "Юлия", "محمد"] {
            let pieces = glyphs(&mut t, s);
            assert!(pieces.iter().all(|(f, ids)| *f == Face::Regular && !ids.contains(&0)), "{s}: {pieces:?}");
        }
        for s in ["王小明", "佐藤花子", "김민준"] {
            let pieces = glyphs(&mut t, s);
            assert!(pieces.iter().all(|(f, ids)| *f == Face::Cjk && !ids.contains(&0)), "{s}: {pieces:?}");
        }
        // Punctuation stays in the run it follows when that font has it: one font change, not two.
        let mixed = glyphs(&mut t, "Dear 王小明, and");
        assert_eq!(mixed.iter().map(|p| p.0).collect::<Vec<_>>(), [Face::Regular, Face::Cjk, Face::Regular]);
    }

    #[test]
    fn arabic_is_joined_and_drawn_right_to_left() {
        let mut t = Typesetter::new().unwrap();
        let name = "محمد";
        let shaped = glyphs(&mut t, name).remove(0).1;
        let plain: Vec<u16> = name
            .chars()
            .map(|c| t.faces[0].font.lookup_glyph_index(c, MatchingPresentation::NotRequired, None).0)
            .collect();
        assert_eq!(shaped.len(), plain.len());
        // Joined forms differ from the isolated ones, and the first letter (meem, initial form) is drawn last.
        assert_ne!(shaped.iter().rev().copied().collect::<Vec<_>>(), plain);
        assert_ne!(shaped[3], plain[0]);
        let text = t.faces[0].used.get(&shaped[3]).cloned();
        assert_eq!(text.as_deref(), Some("م"), "the joined glyph still stands for its letter");
    }

    #[test]
    fn lines_wrap_at_the_measured_width() {
        let mut t = Typesetter::new().unwrap();
        let lines = t.wrap("one two three\n\nfour", Weight::Regular, 10.0, 15.0);
        assert_eq!(lines, ["one two", "three", "", "four"]);
        let long = t.wrap(&"x".repeat(40), Weight::Regular, 10.0, 20.0);
        assert!(long.len() > 1 && long.iter().all(|l| t.width(Weight::Regular, 10.0, l) <= 20.0), "{long:?}");
        assert_eq!(long.concat(), "x".repeat(40));
        // A wide script takes more room than a narrow one of as many characters.
        assert!(t.width(Weight::Regular, 10.0, "王小明王小明") > t.width(Weight::Regular, 10.0, "iiiiii"));
    }

    #[test]
    fn a_character_no_font_has_is_a_box_not_a_question_mark() {
        let mut t = Typesetter::new().unwrap();
        // Devanagari is in neither font (docs/fonts.md).
        let pieces = glyphs(&mut t, "aकb");
        assert!(pieces.iter().any(|(_, ids)| ids.contains(&0)), "{pieces:?}");
    }
}
