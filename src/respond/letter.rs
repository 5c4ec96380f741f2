//! A response as a printable PDF letter on the organisation's letterhead (A4, the recipient's address where a
//! windowed envelope shows it, page numbers), with printpdf's built-in Helvetica (Western European text).

use printpdf::{
    BuiltinFont, Line, LinePoint, Mm, Op, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, RawImage,
    TextItem, XObjectTransform,
};

use super::render::{Organisation, Rendered};

const WIDTH_CHARS: usize = 86;
const BODY_SIZE: f32 = 10.5;
const LINE: f32 = 14.0;
const LEFT: f32 = 22.0;
const BOTTOM: f32 = 25.0;

/// Break text into lines of at most `width` characters, at spaces where possible.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            let len = line.chars().count();
            if len > 0 && len + 1 + word.chars().count() > width {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            while line.chars().count() > width {
                let head: String = line.chars().take(width).collect();
                let rest: String = line.chars().skip(width).collect();
                out.push(head);
                line = rest;
            }
        }
        out.push(line);
    }
    out
}

pub(crate) fn text(ops: &mut Vec<Op>, font: BuiltinFont, size: f32, x: f32, y: f32, s: &str) {
    ops.extend([
        Op::StartTextSection,
        Op::SetFont { font: PdfFontHandle::Builtin(font), size: Pt(size) },
        Op::SetTextCursor { pos: Point::new(Mm(x), Mm(y)) },
        Op::ShowText { items: vec![TextItem::Text(s.to_string())] },
        Op::EndTextSection,
    ]);
}

/// Whether a file is an image the letterhead can show (PNG or JPEG).
pub fn check_logo(bytes: &[u8]) -> Result<(), String> {
    RawImage::decode_from_bytes(bytes, &mut Vec::new()).map(|_| ())
}

/// The letter: letterhead (with the logo, if any), recipient, date, subject, text; further pages as needed, each
/// numbered.
pub fn letter_pdf(
    org: &Organisation,
    logo: Option<&[u8]>,
    to_name: &str,
    to_address: &str,
    date: &str,
    r: &Rendered,
) -> Vec<u8> {
    let mut doc = PdfDocument::new(&r.subject);
    let logo = logo.and_then(|b| RawImage::decode_from_bytes(b, &mut Vec::new()).ok()).map(|img| {
        // 18 mm high at the top right, whatever the image's own size.
        let height_pt = 18.0 / 25.4 * 72.0;
        let scale = height_pt / img.height.max(1) as f32;
        let width_pt = img.width as f32 * scale;
        (doc.add_image(&img), scale, width_pt)
    });
    let mut lines: Vec<(BuiltinFont, String)> =
        vec![(BuiltinFont::HelveticaBold, r.subject.clone()), (BuiltinFont::Helvetica, String::new())];
    lines.extend(wrap(r.body.trim(), WIDTH_CHARS).into_iter().map(|l| (BuiltinFont::Helvetica, l)));
    // The first page starts lower (letterhead, address, date).
    let first_top = 175.0;
    let other_top = 270.0;
    let per_mm = LINE * 0.3528;
    let fits = |top: f32| ((top - BOTTOM) / per_mm).floor() as usize;
    let mut pages_lines: Vec<Vec<(BuiltinFont, String)>> = Vec::new();
    let mut rest = lines.as_slice();
    let mut top = first_top;
    while !rest.is_empty() || pages_lines.is_empty() {
        let n = fits(top).min(rest.len());
        pages_lines.push(rest[..n].to_vec());
        rest = &rest[n..];
        top = other_top;
    }
    let total = pages_lines.len();
    let mut pages = Vec::new();
    for (i, page_lines) in pages_lines.into_iter().enumerate() {
        let mut ops = Vec::new();
        let mut y = if i == 0 {
            if let Some((id, scale, width_pt)) = &logo {
                let right = (210.0 - LEFT) / 25.4 * 72.0;
                ops.push(Op::UseXobject {
                    id: id.clone(),
                    transform: XObjectTransform {
                        translate_x: Some(Pt(right - width_pt)),
                        translate_y: Some(Pt(262.0 / 25.4 * 72.0)),
                        scale_x: Some(*scale),
                        scale_y: Some(*scale),
                        dpi: Some(72.0),
                        ..XObjectTransform::default()
                    },
                });
            }
            text(&mut ops, BuiltinFont::HelveticaBold, 15.0, LEFT, 272.0, &org.name);
            let mut hy = 266.0;
            for l in org.address.lines().chain(std::iter::once(org.email.as_str())).filter(|l| !l.trim().is_empty()) {
                text(&mut ops, BuiltinFont::Helvetica, 9.0, LEFT, hy, l.trim());
                hy -= 4.2;
            }
            ops.push(Op::DrawLine {
                line: Line {
                    points: vec![
                        LinePoint { p: Point::new(Mm(LEFT), Mm(hy - 1.0)), bezier: false },
                        LinePoint { p: Point::new(Mm(210.0 - LEFT), Mm(hy - 1.0)), bezier: false },
                    ],
                    is_closed: false,
                },
            });
            // Where a DL/C5 window envelope shows the address.
            let mut ay = 232.0;
            for l in std::iter::once(to_name).chain(to_address.lines()).filter(|l| !l.trim().is_empty()) {
                text(&mut ops, BuiltinFont::Helvetica, 11.0, LEFT, ay, l.trim());
                ay -= 5.0;
            }
            text(&mut ops, BuiltinFont::Helvetica, BODY_SIZE, 140.0, 190.0, date);
            first_top
        } else {
            other_top
        };
        for (font, l) in &page_lines {
            if !l.is_empty() {
                text(&mut ops, *font, BODY_SIZE, LEFT, y, l);
            }
            y -= per_mm;
        }
        text(&mut ops, BuiltinFont::Helvetica, 8.0, LEFT, 12.0, &format!("{} · {}/{}", org.name, i + 1, total));
        pages.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
    }
    let mut warnings = Vec::new();
    doc.with_pages(pages).save(&PdfSaveOptions::default(), &mut warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_and_paragraphs_wrap() {
        let lines = wrap("one two three\n\nfour", 9);
        assert_eq!(lines, ["one two", "three", "", "four"]);
        assert_eq!(wrap(&"x".repeat(20), 8), ["xxxxxxxx", "xxxxxxxx", "xxxx"]);
    }

    #[test]
    fn a_long_letter_gets_more_pages() {
        let org = Organisation { name: "Acme".into(), ..Organisation::default() };
        let r = Rendered {
            stage: "refusal".into(),
            lang: "en".into(),
            subject: "Subject".into(),
            body: "A line of text.\n".repeat(120),
            missing: vec![],
            warnings: vec![],
        };
        let pdf = letter_pdf(&org, None, "Zoë", "1 Main St\nTown", "3 March 2026", &r);
        assert!(pdf.starts_with(b"%PDF"));
        let pages = pdf.windows(10).filter(|w| w == b"/Type /Pag" || w == b"/Type/Page").count();
        assert!(pages >= 2, "{pages}");
    }
}
