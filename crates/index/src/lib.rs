//! chartdex-index
