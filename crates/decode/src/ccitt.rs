//! CCITT Group 3 and Group 4 fax data (in PDFs and TIFFs) → 8-bit grey, via `hayro-ccitt`.

use hayro_ccitt::{DecodeSettings, DecoderContext, EncodingMode};

/// How a CCITT stream is coded.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Params {
    pub(crate) columns: u32,
    pub(crate) rows: u32,
    pub(crate) mode: EncodingMode,
    pub(crate) byte_aligned: bool,
    /// The stream may end with an end-of-block marker before `rows` rows.
    pub(crate) end_of_block: bool,
}

/// Collects rows of colour changes into grey pixels (black 0, white 255).
struct Rows {
    width: usize,
    max_rows: usize,
    pixels: Vec<u8>,
}

impl hayro_ccitt::Decoder for Rows {
    fn push_row(&mut self, changes: &[u32]) {
        if self.pixels.len() >= self.width * self.max_rows {
            return;
        }
        let start = self.pixels.len();
        self.pixels.resize(start + self.width, 255);
        let row = &mut self.pixels[start..];
        for pair in changes.chunks(2) {
            let from = (pair[0] as usize).min(self.width);
            let to = pair.get(1).map_or(self.width, |&e| (e as usize).min(self.width));
            row[from..to].fill(0);
        }
    }
}

/// Decodes one CCITT image. A truncated stream yields the rows that decoded, padded with white,
/// as fax viewers show it; a stream with no decodable row is an error.
pub(crate) fn decode(data: &[u8], p: Params) -> Result<Vec<u8>, String> {
    let settings = DecodeSettings {
        columns: p.columns,
        rows: p.rows,
        end_of_block: p.end_of_block,
        end_of_line: false,
        rows_are_byte_aligned: p.byte_aligned,
        encoding: p.mode,
        strict: false,
    };
    let mut ctx = DecoderContext::new(settings);
    let mut rows = Rows {
        width: p.columns as usize,
        max_rows: p.rows as usize,
        pixels: Vec::with_capacity(p.columns as usize * p.rows as usize),
    };
    let result = hayro_ccitt::decode(data, &mut rows, &mut ctx);
    if rows.pixels.is_empty() {
        return Err(match result {
            Err(e) => format!("CCITT fax data: {e:?}"),
            Ok(_) => "CCITT fax data holds no rows".into(),
        });
    }
    rows.pixels.resize(p.columns as usize * p.rows as usize, 255);
    Ok(rows.pixels)
}
