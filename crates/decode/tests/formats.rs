//! Resolutions and page sizes of the generated format fixtures (fixtures/formats).

use chartdex_decode::{open, sniff, Limits, PageContent};
use std::path::PathBuf;

fn first_raster(name: &str) -> chartdex_core::Raster {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/formats").join(name);
    let bytes = std::fs::read(&path).unwrap();
    let mut pages = open(&bytes, sniff(&bytes).unwrap(), Limits::default()).unwrap();
    match pages.next().unwrap().unwrap() {
        PageContent::Raster(r) => r,
        PageContent::Text(_) => panic!("{name} is a scan"),
    }
}

#[test]
fn resolutions_are_read_from_the_files() {
    for (name, size, dpi) in [
        ("tiff-lzw.tif", (1700, 420), (200, 200)),
        ("tiff-group4-3pages.tif", (1700, 420), (200, 200)),
        ("png-grey8.png", (1700, 420), (200, 200)),
        ("jpeg-exif-orientation.jpg", (1700, 420), (200, 200)),
        ("pdf-dct.pdf", (1700, 420), (200, 200)),
        // 204 x 98 dpi fax: the rows are doubled so the pixels are square.
        ("fax-204x98-group3.tif", (1700, 437), (204, 204)),
    ] {
        let r = first_raster(name);
        assert_eq!(((r.width, r.height), r.dpi), (size, dpi), "{name}");
    }
}
