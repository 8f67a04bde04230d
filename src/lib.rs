//! genie: a product team's documents, DocSets and traceability, checked from the
//! git repository alone.
//!
//! The library holds everything genie knows; the `genie` binary only parses
//! arguments, calls it and maps outcomes to exit codes. The library never prints
//! and never exits: it returns data or writes to a writer it is given.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod cache;
pub mod check;
pub mod config;
pub mod edit;
pub mod index;
pub mod markdown;
pub mod model;
pub mod ops;
pub mod policy;
pub mod render;
pub mod repo;
pub mod report;
pub mod run;
pub mod schema;
pub mod trace;
pub mod yaml;
