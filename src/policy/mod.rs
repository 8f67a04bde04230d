//! Policy: what the git hooks and `genie policy check` enforce beyond the
//! document rules — secrets, commit messages, branches — and the process labels,
//! the workflow lint and the stage gate of label events.

pub mod commit;
pub mod gate;
pub mod hooks;
pub mod labels;
pub mod secrets;
pub mod staged;
pub mod workflows;
