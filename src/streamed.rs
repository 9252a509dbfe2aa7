//! Output written while it is still being made: a big report is rendered
//! on one thread and written on another, so that the two overlap instead
//! of taking their times one after the other.

use std::io::Write;
use std::sync::mpsc::{channel, Sender};

/// How much rendered output is handed over to the writing thread at once:
/// big enough that handing over costs nothing, small enough that writing
/// starts long before rendering ends.
const CHUNK: usize = 1 << 20;

/// Runs `fill` on one of rayon's threads and hands what it writes, a chunk
/// at a time, to `sink` on another, when the pool has a second thread;
/// with `--jobs 1` the one thread renders everything, then writes it. The
/// bytes `sink` receives are exactly what `fill` wrote, in order. The first
/// error wins: `fill`'s own, or the sink's (a `fill` whose sink has failed
/// is stopped at its next chunk).
pub(crate) fn stream<W: Write + Send>(
    sink: &mut W,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()> + Send,
) -> std::io::Result<()> {
    let (sender, receiver) = channel::<Vec<u8>>();
    let mut filled = Ok(());
    let mut written = Ok(());
    rayon::scope(|scope| {
        // The writer is queued first, so that a second thread takes it
        // while this one renders. The channel has no bound: with one
        // thread the writer only runs once rendering is done.
        scope.spawn(|_| {
            for chunk in receiver {
                if let Err(error) = sink.write_all(&chunk) {
                    written = Err(error);
                    // Dropping the receiver makes the next send fail.
                    return;
                }
            }
            written = sink.flush();
        });
        let mut chunks = Chunks {
            sender,
            buffer: Vec::with_capacity(CHUNK),
        };
        filled = fill(&mut chunks).and_then(|()| chunks.flush());
    });
    // A failed sink shows in `fill` only as a broken channel: the sink's
    // error is the one that says what went wrong.
    written.and(filled)
}

/// The `Write` that `fill` writes into: whole chunks go to the writer.
struct Chunks {
    sender: Sender<Vec<u8>>,
    buffer: Vec<u8>,
}

impl Write for Chunks {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        self.send()
    }
}

impl Chunks {
    fn send(&mut self) -> std::io::Result<()> {
        let full = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK));
        self.sender
            .send(full)
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the output failed"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the sink receives is what was written, byte for byte, on one
    /// thread and on several, across many chunks.
    #[test]
    fn the_sink_gets_every_byte_in_order() {
        let text: Vec<u8> = (0..3 * CHUNK + 17).map(|i| (i % 251) as u8).collect();
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut sink = Vec::new();
            pool.install(|| {
                stream(&mut sink, |out| {
                    for piece in text.chunks(1000) {
                        out.write_all(piece)?;
                    }
                    Ok(())
                })
            })
            .unwrap();
            assert_eq!(sink, text, "{threads} threads");
        }
    }

    /// A sink that fails stops the stream with its own error.
    #[test]
    fn a_failing_sink_gives_its_error() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::new(
                    std::io::ErrorKind::StorageFull,
                    "disk full",
                ))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let error = stream(&mut Full, |out| {
            for _ in 0..10 {
                out.write_all(&vec![b'x'; CHUNK])?;
            }
            Ok(())
        })
        .unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::StorageFull);
    }
}
