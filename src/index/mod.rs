//! The search index: documents cut into heading-section chunks, indexed with
//! Tantivy in `.genie/index` with a Russian and English analyzer, kept up to date
//! incrementally; search, agent context and export on top.

pub mod analyzer;
pub mod chunk;
pub mod context;
pub mod export;
pub mod search;
mod store;

pub use store::{DIR, SCHEMA_VERSION, UpdateError, UpdateOptions, UpdateStats, update};

/// Why the index could not be built, updated or read (exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct IndexError {
    pub message: String,
}

impl IndexError {
    pub fn new(message: impl Into<String>) -> Self {
        IndexError {
            message: message.into(),
        }
    }
}
