//! A run's actions, kept inline when they are few.

use std::ops::Deref;

/// Actions up to this many are kept inline. Runs average about five steps,
/// so nearly every run fits, and generating a customer and handing the run
/// to proptest (which clones it for every test) allocates nothing.
const INLINE: usize = 23;

/// The actions of a run (see `judge`): a short list of numbers, cheap to
/// clone.
#[derive(Clone)]
pub enum Actions {
    Inline { len: u8, buffer: [u16; INLINE] },
    Heap(Vec<u16>),
}

impl Actions {
    pub fn new(actions: &[u16]) -> Self {
        if actions.len() <= INLINE {
            let mut buffer = [0; INLINE];
            buffer[..actions.len()].copy_from_slice(actions);
            Actions::Inline {
                len: actions.len() as u8,
                buffer,
            }
        } else {
            Actions::Heap(actions.to_vec())
        }
    }
}

impl Default for Actions {
    fn default() -> Self {
        Actions::new(&[])
    }
}

impl Deref for Actions {
    type Target = [u16];

    fn deref(&self) -> &[u16] {
        match self {
            Actions::Inline { len, buffer } => &buffer[..*len as usize],
            Actions::Heap(actions) => actions,
        }
    }
}

impl From<Vec<u16>> for Actions {
    fn from(actions: Vec<u16>) -> Self {
        if actions.len() <= INLINE {
            Actions::new(&actions)
        } else {
            Actions::Heap(actions)
        }
    }
}

/// Equal when the actions are, however they are kept.
impl PartialEq for Actions {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Actions {}

impl std::fmt::Debug for Actions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_lists_read_back_the_same() {
        for len in [0, 1, INLINE - 1, INLINE, INLINE + 1, 200] {
            let list: Vec<u16> = (0..len as u16).map(|a| a * 7 + 1).collect();
            let actions = Actions::new(&list);
            assert_eq!(&*actions, &list[..]);
            assert_eq!(Actions::from(list.clone()), actions);
            assert_eq!(format!("{actions:?}"), format!("{list:?}"));
        }
    }
}
