//! Pretty JSON, as `serde_json` writes it, whose long lists are rendered on
//! every core: a report of tens of megabytes was one thread's work at the
//! end of `check`, with the other cores idle.

use std::cell::Cell;
use std::io;

use serde::ser::SerializeSeq;
use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

/// `value` as pretty JSON into `out`, exactly as
/// `serde_json::to_writer_pretty` writes it, but that every list serialised
/// with [`parallel_list`] is rendered in batches on rayon's pool.
pub(crate) fn write<T: Serialize>(value: &T, out: &mut dyn io::Write) -> io::Result<()> {
    let _restore = Restore(OPEN.replace(Some(0)));
    let mut serializer = serde_json::Serializer::with_formatter(
        out,
        Counting {
            pretty: PrettyFormatter::new(),
        },
    );
    Ok(value.serialize(&mut serializer)?)
}

/// Puts back what [`OPEN`] held when it is dropped, on every way out, a
/// panic unwinding through included: a count left behind would indent the
/// lists of whatever this thread serialises next.
struct Restore(Option<usize>);

impl Drop for Restore {
    fn drop(&mut self) {
        OPEN.set(self.0);
    }
}

thread_local! {
    /// While [`write`] renders a value on this thread, how many objects
    /// and arrays are open where it is: [`parallel_list`] needs it to
    /// indent what it renders elsewhere. `None` for any other rendering,
    /// which [`parallel_list`] leaves as serde would have it.
    static OPEN: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Pretty JSON as `serde_json` writes it, counting open objects and arrays
/// in [`OPEN`] on the way.
struct Counting<'a> {
    pretty: PrettyFormatter<'a>,
}

impl Counting<'_> {
    fn nest(by: isize) {
        OPEN.set(OPEN.get().map(|open| open.saturating_add_signed(by)));
    }
}

impl Formatter for Counting<'_> {
    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        Self::nest(1);
        self.pretty.begin_array(writer)
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        Self::nest(-1);
        self.pretty.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        Self::nest(1);
        self.pretty.begin_object(writer)
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        Self::nest(-1);
        self.pretty.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(writer)
    }
}

/// How many elements of a long list are rendered at once per thread: the
/// batch is held in memory until it is written, so a report is still
/// never held whole.
const BATCH_PER_THREAD: usize = 8;

/// Serialises a list, for `#[serde(serialize_with)]` on the report's long
/// lists. Inside [`write`], batches of elements are each rendered as pretty
/// JSON on every core, indented to where the list stands, and written in
/// order as they are: rendering a large report was one thread's work while
/// the other cores waited. Anywhere else, the list is serialised as usual.
pub(crate) fn parallel_list<T, S>(items: &[T], serializer: S) -> Result<S::Ok, S::Error>
where
    T: Serialize + Sync,
    S: serde::Serializer,
{
    use rayon::prelude::*;
    // Taken while the elements render, so that a list inside an element,
    // rendered on this thread by rayon, is serialised as usual.
    let Some(open) = OPEN.take() else {
        return serializer.collect_seq(items);
    };
    let _restore = Restore(Some(open));
    // The list's elements are one level deeper than the list: every line
    // an element renders, but its first, is indented that much more. A
    // newline in pretty JSON is always between tokens (inside a string it
    // is escaped), so indenting after each one is exact.
    let indent = format!("\n{}", "  ".repeat(open + 1));
    let batch = rayon::current_num_threads().max(1) * BATCH_PER_THREAD;
    let mut list = serializer.serialize_seq(Some(items.len()))?;
    for items in items.chunks(batch) {
        let rendered: Vec<Box<serde_json::value::RawValue>> = items
            .par_iter()
            .map(|item| {
                let text = serde_json::to_string_pretty(item)?.replace('\n', &indent);
                serde_json::value::RawValue::from_string(text)
            })
            .collect::<Result<_, _>>()
            .map_err(serde::ser::Error::custom)?;
        for element in &rendered {
            list.serialize_element(element)?;
        }
    }
    list.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled set's report, with its structure: every list that
    /// [`parallel_list`] renders is there, and its 30 journeys are more
    /// than one batch on three threads.
    fn bundled_report() -> crate::report::Report {
        let menus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("menus");
        let set = crate::loader::load_set(&menus).expect("the bundled set loads");
        let mut report = crate::run::lint_report(&set, "check", 7).expect("the bundled set lints");
        report.structure = crate::structure::describe(&set);
        report
    }

    #[test]
    fn a_report_written_on_many_threads_is_the_report_serde_renders() {
        let report = bundled_report();
        assert!(report.structure.flows.len() > 1);
        assert!(report.coverage.flows.len() > 1);
        assert!(report.journeys.len() > 3 * BATCH_PER_THREAD);
        let plain = serde_json::to_string_pretty(&report).expect("renders") + "\n";
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a pool");
            let mut written = Vec::new();
            pool.install(|| crate::render::json::write(&report, &mut written))
                .expect("writes");
            assert_eq!(
                String::from_utf8(written).expect("UTF-8"),
                plain,
                "on {threads} threads"
            );
        }
        // Outside `write`, the lists are serialised as usual.
        assert_eq!(OPEN.get(), None);
        assert_eq!(crate::render::json::render(&report), plain);
    }

    /// A value that panics after a list, the panic caught: the thread's
    /// count of open objects is put back, so what it serialises next is
    /// not indented as if it stood inside the value.
    #[test]
    fn a_panic_while_writing_leaves_nothing_behind() {
        struct Panics;
        impl Serialize for Panics {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                panic!("an element that cannot be written")
            }
        }
        #[derive(Serialize)]
        struct Lists {
            #[serde(serialize_with = "parallel_list")]
            items: Vec<u8>,
            last: Panics,
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a pool");
        pool.install(|| {
            let caught = std::panic::catch_unwind(|| {
                let lists = Lists {
                    items: vec![1, 2],
                    last: Panics,
                };
                write(&lists, &mut Vec::new())
            });
            assert!(caught.is_err());
            assert_eq!(OPEN.get(), None);
        });
    }
}
