//! Decodes a file the way `chartdex ingest` does and writes each page as a PNG (or prints its
//! text layer), to see what OCR will be given.
//!
//! `cargo run -p chartdex-decode --example pages -- FILE OUT_DIR`

use chartdex_decode::{open, sniff, Limits, PageContent};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(file), Some(out)) = (args.next(), args.next()) else {
        return Err("usage: pages FILE OUT_DIR".into());
    };
    let bytes = std::fs::read(&file)?;
    let media = sniff(&bytes).ok_or("not a supported file type")?;
    std::fs::create_dir_all(&out)?;
    for (i, page) in open(&bytes, media, Limits::default())?.enumerate() {
        match page? {
            PageContent::Raster(r) => {
                let path = format!("{out}/page-{}.png", i + 1);
                image::GrayImage::from_raw(r.width, r.height, r.pixels)
                    .ok_or("bad raster")?
                    .save(&path)?;
                eprintln!("page {}: {}x{} at {:?} dpi -> {path}", i + 1, r.width, r.height, r.dpi);
            }
            PageContent::Text(t) => eprintln!("page {}: text layer, {} chars", i + 1, t.len()),
        }
    }
    Ok(())
}
