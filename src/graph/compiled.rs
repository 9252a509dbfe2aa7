//! Each channel of a set compiled once, for every engine of a command.

use std::sync::OnceLock;

use super::{compile, CompileError, Graph};
use crate::model::{Channel, MenuSet};

/// The channels of one set, each compiled the first time an engine asks
/// for it and then shared. `check` runs the walk, the fuzzer and the
/// personas side by side on one set; compiling a big set is a good part of
/// what each would otherwise do on its own, and all three read the same
/// arrays. A second engine asking while the first compiles waits for it
/// rather than compiling the channel again. That wait is why `compile`
/// must never spread its own work over rayon's pool: a thread compiling a
/// channel that took another piece of work while it waited could be asked
/// for the same channel, and would then wait on itself.
pub struct Graphs<'a> {
    set: &'a MenuSet,
    /// Per channel, in [`Channel::ALL`]'s order.
    compiled: [OnceLock<Result<Graph<'a>, CompileError>>; Channel::ALL.len()],
}

impl<'a> Graphs<'a> {
    /// Nothing is compiled until it is asked for.
    pub fn new(set: &'a MenuSet) -> Self {
        Graphs {
            set,
            compiled: Default::default(),
        }
    }

    /// The set the graphs are compiled from.
    pub fn set(&self) -> &'a MenuSet {
        self.set
    }

    /// The channel's graph, compiled on the first call. Every caller gets
    /// the same error when the channel cannot be compiled.
    pub fn get(&self, channel: Channel) -> Result<&Graph<'a>, CompileError> {
        let slot = Channel::ALL
            .iter()
            .position(|&c| c == channel)
            .expect("every channel is in Channel::ALL");
        self.compiled[slot]
            .get_or_init(|| compile(self.set, channel))
            .as_ref()
            .map_err(Clone::clone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asking twice gives the one graph compiled the first time.
    #[test]
    fn a_channel_is_compiled_once() {
        let text = "flow: main\nchannel: phone\nstart: hello\nnodes:\n  hello:\n    say: Hello\n    next: bye\n  bye:\n    end: Goodbye\n";
        let set = crate::loader::load_text("main.yaml", text).unwrap();
        let graphs = Graphs::new(&set);
        let first = graphs.get(Channel::Phone).unwrap() as *const Graph;
        let again = graphs.get(Channel::Phone).unwrap() as *const Graph;
        assert_eq!(first, again);
        assert_eq!(graphs.get(Channel::Phone).unwrap().nodes.len(), 2);
    }
}
