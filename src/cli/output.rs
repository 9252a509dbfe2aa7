//! Where a command's output goes: standard output or a file written whole.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::CliError;

/// Standard output, or a file written atomically (see
/// [`crate::atomic_write`]): a reader never sees half a report, and a run
/// killed mid-write leaves a temporary file that the next run removes.
pub(crate) struct Output {
    path: Option<PathBuf>,
}

impl Output {
    pub(crate) fn new(path: Option<&Path>) -> Output {
        Output {
            path: path.map(Path::to_path_buf),
        }
    }

    /// Writes what `fill` writes while it is still writing (see
    /// [`crate::streamed`]): for the JSON report, which a big set makes
    /// tens of megabytes long.
    pub(crate) fn write_with(
        &self,
        fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()> + Send,
    ) -> Result<(), CliError> {
        let Some(path) = &self.path else {
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = crate::streamed::stream(&mut std::io::stdout(), fill);
            return Ok(());
        };
        crate::atomic_write::write_streamed(path, fill).map_err(|source| CliError::Write {
            path: path.clone(),
            source,
        })
    }

    pub(crate) fn write(&self, text: &str) -> Result<(), CliError> {
        let Some(path) = &self.path else {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush());
            return Ok(());
        };
        crate::atomic_write::write(path, text.as_bytes()).map_err(|source| CliError::Write {
            path: path.clone(),
            source,
        })
    }
}
