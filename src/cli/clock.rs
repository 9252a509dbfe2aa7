//! The system's monotonic clock, which the command line hands to the core
//! for `--time` budgets: the core itself never reads the time.

use std::time::{Duration, Instant};

use crate::clock::Clock;

/// The monotonic clock, counted from when the command asked for it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    // Reading the clock is what this edge is for.
    #[allow(clippy::disallowed_methods)]
    pub(crate) fn start() -> Self {
        SystemClock {
            origin: Instant::now(),
        }
    }

    /// The instant `after` past the clock's origin, for the live driver,
    /// which cuts calls off at the same moment the fuzzer stops.
    pub(crate) fn instant(&self, after: Duration) -> Instant {
        self.origin + after
    }
}

impl Clock for SystemClock {
    // Reading the clock is what this edge is for.
    #[allow(clippy::disallowed_methods)]
    fn elapsed(&self) -> Duration {
        self.origin.elapsed()
    }
}
