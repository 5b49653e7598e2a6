//! Fuzzes the decode entry point: any bytes, sniffed and decoded page by page, must give pages or
//! an error, never a panic, a hang or an allocation past the limits.
#![no_main]

use chartdex_decode::{open, sniff, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(media) = sniff(data) else { return };
    // Small limits keep each input fast; the checks are the same as in production.
    let limits = Limits { max_page_pixels: 4_000_000, max_file_bytes: 64 << 20, max_pages: 16 };
    if let Ok(pages) = open(data, media, limits) {
        for page in pages {
            let _ = page;
        }
    }
});
