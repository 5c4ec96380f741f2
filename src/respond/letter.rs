//! A response as a printable PDF letter on the organisation's letterhead (A4, the recipient's address where a
//! windowed envelope shows it, page numbers), in the shipped Unicode fonts (crate::typeset), so a name prints in
//! its own script.

use printpdf::{Line, LinePoint, Mm, Op, PdfDocument, PdfPage, Point, Pt, RawImage, XObjectTransform};

use super::render::{Organisation, Rendered};
use crate::error::Result;
use crate::typeset::{Typesetter, Weight};

const BODY_SIZE: f32 = 10.5;
const LINE: f32 = 14.0;
const LEFT: f32 = 22.0;
const BOTTOM: f32 = 25.0;
/// The text column: the page less both margins.
const BODY_WIDTH: f32 = 210.0 - 2.0 * LEFT;

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
) -> Result<Vec<u8>> {
    let mut ts = Typesetter::new()?;
    let mut doc = PdfDocument::new(&r.subject);
    let logo = logo.and_then(|b| RawImage::decode_from_bytes(b, &mut Vec::new()).ok()).map(|img| {
        // 18 mm high at the top right, whatever the image's own size.
        let height_pt = 18.0 / 25.4 * 72.0;
        let scale = height_pt / img.height.max(1) as f32;
        let width_pt = img.width as f32 * scale;
        (doc.add_image(&img), scale, width_pt)
    });
    let mut lines: Vec<(Weight, String)> =
        ts.wrap(&r.subject, Weight::Bold, BODY_SIZE, BODY_WIDTH).into_iter().map(|l| (Weight::Bold, l)).collect();
    lines.push((Weight::Regular, String::new()));
    lines.extend(
        ts.wrap(r.body.trim(), Weight::Regular, BODY_SIZE, BODY_WIDTH).into_iter().map(|l| (Weight::Regular, l)),
    );
    // The first page starts lower (letterhead, address, date).
    let first_top = 175.0;
    let other_top = 270.0;
    let per_mm = LINE * 0.3528;
    let fits = |top: f32| ((top - BOTTOM) / per_mm).floor() as usize;
    let mut pages_lines: Vec<Vec<(Weight, String)>> = Vec::new();
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
            ts.text(&mut ops, Weight::Bold, 15.0, LEFT, 272.0, &org.name);
            let mut hy = 266.0;
            for l in org.address.lines().chain(std::iter::once(org.email.as_str())).filter(|l| !l.trim().is_empty()) {
                ts.text(&mut ops, Weight::Regular, 9.0, LEFT, hy, l.trim());
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
                ts.text(&mut ops, Weight::Regular, 11.0, LEFT, ay, l.trim());
                ay -= 5.0;
            }
            ts.text(&mut ops, Weight::Regular, BODY_SIZE, 140.0, 190.0, date);
            first_top
        } else {
            other_top
        };
        for (weight, l) in &page_lines {
            if !l.is_empty() {
                ts.text(&mut ops, *weight, BODY_SIZE, LEFT, y, l);
            }
            y -= per_mm;
        }
        ts.text(&mut ops, Weight::Regular, 8.0, LEFT, 12.0, &format!("{} · {}/{}", org.name, i + 1, total));
        pages.push(PdfPage::new(Mm(210.0), Mm(297.0), ops));
    }
    ts.save(doc, pages)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let pdf = letter_pdf(&org, None, "Zoë", "1 Main St\nTown", "3 March 2026", &r).unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        let pages = pdf.windows(10).filter(|w| w == b"/Type /Pag" || w == b"/Type/Page").count();
        assert!(pages >= 2, "{pages}");
    }
}
