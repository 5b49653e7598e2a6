//! chartdex-extract
