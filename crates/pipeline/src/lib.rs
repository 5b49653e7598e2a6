//! chartdex-pipeline
