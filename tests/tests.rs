//! End-to-end tests: they run the built `chartdex` binary on the committed fixture charts.

mod util;

mod errors;
mod fields;
mod formats;
mod ingest;
mod review;
mod search;
mod vault;
