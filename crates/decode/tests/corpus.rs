//! Every file of the shared corpus of real scans and awkward PDFs (OCRmyPDF's test resources,
//! in ../shared/corpora/ocrmypdf) decodes to the right pages, or fails with the right reason.

use chartdex_decode::{open, sniff, Limits, PageContent};
use std::path::PathBuf;

/// What a file must give: its pages ('r' raster for OCR, 't' text layer), or an error.
enum Want {
    Pages(&'static str),
    Error(&'static str),
    NotAScan,
}
use Want::*;

const CORPUS: &[(&str, Want)] = &[
    ("2400dpi.pdf", Pages("r")),
    ("3small.pdf", Pages("rrr")),
    ("acroform.pdf", Pages("r")),
    ("aspect.pdf", Pages("r")),
    ("baiona.png", Pages("r")),
    ("baiona_alpha.png", Pages("r")),
    ("baiona_cmyk.jpg", Pages("r")),
    ("baiona_color.jpg", Pages("r")),
    ("baiona_colormapped.png", Pages("r")),
    ("baiona_gray.png", Pages("r")),
    ("blank.pdf", Pages("r")),
    ("c02-22.pdf", Pages("r")),
    ("cardinal.pdf", Pages("rrrr")),
    ("ccitt.pdf", Pages("r")),
    ("cmyk.pdf", Pages("r")),
    ("crom.png", Pages("r")),
    ("docinfo_latin1_key.pdf", Pages("r")),
    ("enormous.pdf", Pages("r")),
    ("epson.pdf", Pages("r")),
    ("formxobject.pdf", Pages("t")),
    ("francais.pdf", Pages("r")),
    ("graph.pdf", Pages("r")),
    ("graph_ocred.pdf", Pages("t")),
    ("hugemono.pdf", Error("35000x35000 pixels exceeds the limit")),
    ("invalid.pdf", Error("corrupt or truncated PDF")),
    ("jbig2.pdf", Pages("r")),
    ("jbig2_baddevicen.pdf", Pages("r")),
    ("kcs.pdf", Pages("r")),
    ("lichtenstein.pdf", Pages("r")),
    ("link.pdf", Pages("rt")),
    ("linn.pdf", Pages("r")),
    ("linn.png", Pages("r")),
    ("livecycle.pdf", Pages("r")),
    ("masks.pdf", Pages("r")),
    ("meta.pdf", Pages("r")),
    ("missing_docinfo.pdf", Pages("t")),
    ("multipage.pdf", Pages("rrrtrr")),
    ("negzero.pdf", Pages("t")),
    ("no_contents.pdf", Pages("r")),
    ("overlay.pdf", Pages("r")),
    ("palette.pdf", Pages("r")),
    ("poster.pdf", Pages("r")),
    ("rotated_skew.pdf", Pages("r")),
    ("skew.pdf", Pages("r")),
    ("tagged.pdf", Pages("tt")),
    ("toc.pdf", Pages("tr")),
    ("trivial.pdf", Pages("r")),
    ("truetype_font_nomapping.pdf", Pages("r")),
    ("type3_font_nomapping.pdf", Pages("r")),
    ("typewriter.png", Pages("r")),
    ("vector.pdf", Pages("r")),
    ("REUSE.toml.txt", NotAScan),
    ("SOURCE.md", NotAScan),
    ("linn.txt", NotAScan),
];

fn corpus_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora/ocrmypdf");
    assert!(
        dir.is_dir(),
        "the shared corpus is missing: {} (it sits beside the project)",
        dir.display()
    );
    dir
}

/// Decodes a file; the page kinds, or the error.
fn decode(bytes: &[u8]) -> Result<String, String> {
    let media = sniff(bytes).ok_or("not a scan")?;
    let pages = open(bytes, media, Limits::default()).map_err(|e| e.to_string())?;
    let mut kinds = String::new();
    for page in pages {
        match page.map_err(|e| e.to_string())? {
            PageContent::Raster(r) => {
                assert!(r.width > 0 && r.height > 0);
                assert_eq!(r.pixels.len(), r.width as usize * r.height as usize);
                assert_eq!(r.dpi.0, r.dpi.1, "pixels are square");
                kinds.push('r');
            }
            PageContent::Text(t) => {
                assert!(!t.trim().is_empty());
                kinds.push('t');
            }
        }
    }
    Ok(kinds)
}

#[test]
fn every_corpus_file_decodes_as_expected() {
    let dir = corpus_dir();
    let mut seen = Vec::new();
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some((_, want)) = CORPUS.iter().find(|(n, _)| *n == name) else {
            failures.push(format!("{name}: not in the expectation table; add it"));
            continue;
        };
        seen.push(name.clone());
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        let got = decode(&bytes);
        let ok = match (want, &got) {
            (Pages(kinds), Ok(k)) => k == kinds,
            (Error(reason), Err(e)) => e.contains(reason),
            (NotAScan, Err(e)) => e == "not a scan",
            _ => false,
        };
        if !ok {
            failures.push(format!("{name}: got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(seen.len(), CORPUS.len(), "files missing from the corpus");
}

#[test]
fn a_fax_at_200x100_dpi_comes_out_with_square_pixels() {
    let bytes = std::fs::read(corpus_dir().join("aspect.pdf")).unwrap();
    let page =
        open(&bytes, sniff(&bytes).unwrap(), Limits::default()).unwrap().next().unwrap().unwrap();
    let PageContent::Raster(r) = page else { panic!("aspect.pdf is a scan") };
    // 1000 x 400 pixels stored at 200 x 100 dpi: a 5 x 4 inch page.
    assert_eq!((r.width, r.height, r.dpi), (1000, 800, (200, 200)));
}
