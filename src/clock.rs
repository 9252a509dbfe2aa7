//! Wall time as the core sees it: handed in by the edge that runs the core,
//! never read here.
//!
//! The core has no clock (ARCHITECTURE.md, enforced by `clippy.toml`): the
//! only thing that depends on time is a `--time` budget, and the command
//! line gives the fuzzers the system's clock to measure it on
//! (`cli::clock`). A test can give a clock it moves by hand, which makes a
//! time budget as deterministic as a run count.

use std::sync::Arc;
use std::time::Duration;

/// A source of time.
pub trait Clock: Send + Sync {
    /// The time since the clock's own origin; it never goes backwards.
    fn elapsed(&self) -> Duration;
}

/// A time budget and the clock it is measured on (`--time`).
#[derive(Clone)]
pub struct TimeBudget {
    pub total: Duration,
    pub clock: Arc<dyn Clock>,
}

impl TimeBudget {
    pub fn new(total: Duration, clock: Arc<dyn Clock>) -> Self {
        TimeBudget { total, clock }
    }
}

impl std::fmt::Debug for TimeBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimeBudget")
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

/// A moment on a clock after which no new work starts.
#[derive(Clone)]
pub struct Deadline {
    clock: Arc<dyn Clock>,
    /// When, as the clock's time since its origin.
    at: Duration,
}

impl Deadline {
    /// The moment `at` after `clock`'s origin.
    pub fn at(clock: Arc<dyn Clock>, at: Duration) -> Self {
        Deadline { clock, at }
    }

    /// Whether the clock has reached the deadline.
    pub fn passed(&self) -> bool {
        self.clock.elapsed() >= self.at
    }
}

impl std::fmt::Debug for Deadline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deadline")
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

/// A clock that moves only when told to: with it a time budget is as
/// reproducible as a run count, which is how the fuzzers' budgets are
/// tested.
#[cfg(test)]
#[derive(Debug, Default)]
pub(crate) struct ManualClock {
    nanos: std::sync::atomic::AtomicU64,
}

#[cfg(test)]
impl ManualClock {
    /// A clock standing at its origin.
    pub(crate) fn new() -> Self {
        ManualClock::default()
    }

    /// Moves the clock to `elapsed` after its origin; a clock never goes
    /// backwards, so an earlier time leaves it where it is.
    pub(crate) fn set(&self, elapsed: Duration) {
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.nanos
            .fetch_max(nanos, std::sync::atomic::Ordering::SeqCst);
    }
}

#[cfg(test)]
impl Clock for ManualClock {
    fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(std::sync::atomic::Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_passes_when_its_clock_reaches_it() {
        let clock = Arc::new(ManualClock::new());
        let deadline = Deadline::at(clock.clone(), Duration::from_secs(5));
        assert!(!deadline.passed());
        clock.set(Duration::from_millis(4_999));
        assert!(!deadline.passed());
        clock.set(Duration::from_secs(5));
        assert!(deadline.passed());
        // Going backwards is refused: what has passed stays passed.
        clock.set(Duration::ZERO);
        assert!(deadline.passed());
    }
}
