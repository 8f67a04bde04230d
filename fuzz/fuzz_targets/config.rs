//! `genie.toml`: any text must load or be refused with an error, never panic.
#![no_main]

use genie::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(config) = Config::parse(text, None) {
        // An accepted configuration must also compile into a check context.
        let _ = genie::check::Context::new(&config);
    }
});
