//! Page orientation detection with tesseract's OSD model (Debian: tesseract-ocr-osd).
//!
//! The safe `tesseract` crate has no orientation API, so this module drives the C API directly:
//! it is the only `unsafe` code in chartdex, kept to one handle type whose every call is checked.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int};
use std::path::Path;
use std::ptr;
use tesseract_sys::{
    TessBaseAPI, TessBaseAPIClear, TessBaseAPICreate, TessBaseAPIDelete,
    TessBaseAPIDetectOrientationScript, TessBaseAPIEnd, TessBaseAPIInit3, TessBaseAPISetImage,
    TessBaseAPISetPageSegMode, TessBaseAPISetSourceResolution, TessBaseAPISetVariable,
    TessPageSegMode_PSM_OSD_ONLY,
};

/// A tesseract handle loaded with the `osd` model.
pub(crate) struct Osd {
    handle: *mut TessBaseAPI,
}

// The handle is only ever used through `&mut self`, from one thread at a time.
unsafe impl Send for Osd {}

/// What OSD found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Orientation {
    /// How far the page is turned clockwise from upright: 0, 90, 180 or 270.
    pub(crate) degrees: u32,
    /// Tesseract's confidence in that answer (above about 2 is reliable).
    pub(crate) confidence: f32,
}

impl Osd {
    /// Loads the `osd` model; `None` if it is not installed.
    pub(crate) fn new(datapath: Option<&Path>) -> Option<Osd> {
        let datapath = datapath.and_then(|p| CString::new(p.to_str()?).ok());
        let lang = CString::new("osd").expect("no NUL");
        // SAFETY: the handle comes from TessBaseAPICreate and is deleted on every failure path
        // or in Drop; the strings outlive the calls.
        unsafe {
            let handle = TessBaseAPICreate();
            if handle.is_null() {
                return None;
            }
            let dp = datapath.as_ref().map_or(ptr::null(), |d| d.as_ptr());
            if TessBaseAPIInit3(handle, dp, lang.as_ptr()) != 0 {
                TessBaseAPIDelete(handle);
                return None;
            }
            TessBaseAPISetPageSegMode(handle, TessPageSegMode_PSM_OSD_ONLY);
            let (name, value) =
                (CString::new("debug_file").unwrap(), CString::new("/dev/null").unwrap());
            TessBaseAPISetVariable(handle, name.as_ptr(), value.as_ptr());
            Some(Osd { handle })
        }
    }

    /// Detects the orientation of an 8-bit grey page; `None` when there is too little text.
    pub(crate) fn detect(
        &mut self,
        pixels: &[u8],
        width: u32,
        height: u32,
        dpi: u32,
    ) -> Option<Orientation> {
        let (w, h) = (c_int::try_from(width).ok()?, c_int::try_from(height).ok()?);
        if pixels.len() < width as usize * height as usize || w == 0 || h == 0 {
            return None;
        }
        let mut degrees: c_int = 0;
        let mut confidence: f32 = 0.0;
        let mut script: *const c_char = ptr::null();
        let mut script_conf: f32 = 0.0;
        // SAFETY: `pixels` holds width*height bytes (checked above) and stays borrowed until
        // TessBaseAPIClear, which drops tesseract's reference to it before returning.
        let found = unsafe {
            TessBaseAPISetImage(self.handle, pixels.as_ptr(), w, h, 1, w);
            TessBaseAPISetSourceResolution(self.handle, c_int::try_from(dpi).unwrap_or(300));
            let ok = TessBaseAPIDetectOrientationScript(
                self.handle,
                &mut degrees,
                &mut confidence,
                &mut script,
                &mut script_conf,
            );
            if !script.is_null() {
                let _ = CStr::from_ptr(script); // owned by tesseract; not freed here
            }
            TessBaseAPIClear(self.handle);
            ok != 0
        };
        (found && matches!(degrees, 0 | 90 | 180 | 270))
            .then_some(Orientation { degrees: degrees as u32, confidence })
    }
}

impl Drop for Osd {
    fn drop(&mut self) {
        // SAFETY: the handle is valid and dropped once.
        unsafe {
            TessBaseAPIEnd(self.handle);
            TessBaseAPIDelete(self.handle);
        }
    }
}
