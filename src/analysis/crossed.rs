//! `crossed-option`: an option announced as one thing that leads to a step
//! speaking of another option of the same menu and not of its own ("For
//! IRA, press 2" leading to "connecting you to a 401K specialist", where
//! 401K is key 1). Two wires crossed in a menu send every caller of both
//! options to the wrong desk, and nothing else in a walk notices.
//!
//! The rule is deliberately conservative, since a wrong warning teaches a
//! team to ignore the code:
//! - both labels are written on the same menu, each with a word the other
//!   lacks (words both labels share tell nothing apart);
//! - what the option leads to names every distinctive word of the other
//!   label and none of its own label's words;
//! - the other option does not lead to the same step (a step both share
//!   may well speak of either);
//! - the step names exactly one other option of the menu, and is not the
//!   menu itself: a prompt that lists several options ("to hear these
//!   options again") is a list, not a crossed wire;
//! - a menu the option leads to does not offer an option of the other's
//!   name: "For anything else, press 9" one menu down offers that menu's
//!   own "anything else", and speaks of nothing above it.
//!
//! What an option leads to is its target and the plain steps after it
//! (`say`, `set`) up to the first step that asks, decides or ends. It is
//! heard in two voices, judged apart: what the caller is told (texts and
//! prompts) and what the steps are named (ids and transfer queues). "We
//! will transfer you to a 401K specialist" is crossed for the IRA option
//! even when the queue behind it is the IRA queue: the caller who pressed
//! for IRA hears the other desk named, and either the words or the wiring
//! is wrong.

use rustc_hash::FxHashMap;

use crate::graph::{Graph, Kind, NodeIx, NONE};
use crate::model::NodeKind;

/// Words that join a label's words and name nothing.
const FILLER: &[&str] = &[
    "a", "an", "and", "or", "the", "to", "for", "of", "in", "on", "with", "your", "my", "our",
    "me", "you", "i", "is", "it", "at", "by", "about", "other", "more", "s",
];

/// How many plain steps after the target are read: enough for a greeting
/// and a hold message before a transfer.
const PLAIN_STEPS: usize = 4;

/// Calls `each` with the lower-cased words of a text, ids split at `_` and
/// `-` too, with a plural `s` dropped so that "payments" names "payment".
/// Names written as one word (`SimpleFinancialIRA`, `Financial401K`,
/// exported choice names) are split where a capital or a digit follows a
/// lower-case letter and where a run of capitals ends ("IRAAccount"), so a
/// number-and-letter code like "401K" stays one word. `lowered` holds each
/// word while `each` reads it, so that no word costs an allocation.
fn for_each_word(text: &str, lowered: &mut String, mut each: impl FnMut(&str)) {
    for token in text.split(|c: char| !c.is_alphanumeric()) {
        for_each_joined_word(token, |part| {
            if part.is_empty() {
                return;
            }
            lowered.clear();
            if part.is_ascii() {
                lowered.push_str(part);
                lowered.make_ascii_lowercase();
            } else {
                // Lower-casing the whole word, as `str::to_lowercase` does,
                // keeps a word-final sigma right.
                lowered.push_str(&part.to_lowercase());
            }
            let word = match lowered.strip_suffix('s') {
                Some(stem) if stem.len() >= 3 && !stem.ends_with('s') => stem,
                _ => lowered.as_str(),
            };
            each(word);
        });
    }
}

/// Calls `each` with the words run together in one token
/// ("SimpleFinancialIRA" gives "Simple", "Financial", "IRA"), the token
/// itself when it is one word, and an empty token as it is.
fn for_each_joined_word<'t>(token: &'t str, mut each: impl FnMut(&'t str)) {
    let mut start = 0;
    let mut previous: Option<char> = None;
    let mut chars = token.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if let Some(previous) = previous {
            let next_is_lower = chars.peek().is_some_and(|(_, n)| n.is_lowercase());
            let boundary = (previous.is_lowercase() && (c.is_uppercase() || c.is_ascii_digit()))
                || (previous.is_uppercase() && c.is_uppercase() && next_is_lower);
            if boundary {
                each(&token[start..at]);
                start = at;
            }
        }
        previous = Some(c);
    }
    each(&token[start..]);
}

/// Every distinct word read, numbered: the sets compared are of numbers,
/// and a word met again costs neither an allocation nor a string
/// comparison.
#[derive(Default)]
struct Vocabulary {
    numbers: FxHashMap<String, u32>,
    lowered: String,
}

impl Vocabulary {
    /// The numbers of the words of `text`, as a sorted set; with
    /// `names_only`, without the filler words, as a label's words are read.
    fn read(&mut self, text: &str, names_only: bool) -> Vec<u32> {
        let mut set = Vec::new();
        self.read_into(text, names_only, &mut set);
        sorted_set(set)
    }

    /// The numbers of the words of `text`, added to `into` unsorted.
    fn read_into(&mut self, text: &str, names_only: bool, into: &mut Vec<u32>) {
        let Vocabulary { numbers, lowered } = self;
        for_each_word(text, lowered, |word| {
            if names_only && FILLER.contains(&word) {
                return;
            }
            let next = numbers.len() as u32;
            let number = match numbers.get(word) {
                Some(&number) => number,
                None => {
                    numbers.insert(word.to_string(), next);
                    next
                }
            };
            into.push(number);
        });
    }
}

fn sorted_set(mut words: Vec<u32>) -> Vec<u32> {
    words.sort_unstable();
    words.dedup();
    words
}

/// What a step and the plain steps after it say and are named, as sorted
/// sets of word numbers.
struct Destination {
    /// What the caller is told: texts and prompts.
    spoken: Vec<u32>,
    /// What the steps are named: ids and transfer queues.
    named: Vec<u32>,
    /// The label words of the options of the menu the steps lead to, if
    /// they lead to one: a menu that offers its own "anything else" is not
    /// speaking of the "anything else" of the menu before it.
    offered: Vec<Vec<u32>>,
}

impl Destination {
    fn read(graph: &Graph, start: NodeIx, vocabulary: &mut Vocabulary) -> Destination {
        let mut spoken = Vec::new();
        let mut named = Vec::new();
        let mut offered = Vec::new();
        let mut node = start;
        let mut seen = Vec::new();
        while node != NONE && !seen.contains(&node) && seen.len() <= PLAIN_STEPS {
            seen.push(node);
            let model = graph.model_node(node);
            vocabulary.read_into(&model.id.value, false, &mut named);
            if let Some(text) = model.kind.text() {
                vocabulary.read_into(text, false, &mut spoken);
            }
            if let NodeKind::Transfer { queue, .. } = &model.kind {
                vocabulary.read_into(&queue.value, false, &mut named);
            }
            if let Kind::Menu { options, .. } = &graph.nodes[node as usize].kind {
                offered.extend(options.clone().filter_map(|option| {
                    let label = graph.model_option(option).label.as_ref()?;
                    Some(vocabulary.read(&label.value, true))
                }));
            }
            node = match graph.nodes[node as usize].kind {
                Kind::Say { next } | Kind::Set { next, .. } => next,
                _ => NONE,
            };
        }
        Destination {
            spoken: sorted_set(spoken),
            named: sorted_set(named),
            offered,
        }
    }

    /// The voices (spoken, named) that name every word of `theirs` and
    /// none of `own`.
    fn voices_naming(&self, own: &[u32], theirs: &[u32]) -> [bool; 2] {
        [&self.spoken, &self.named].map(|words| {
            let says = |w: &u32| words.binary_search(w).is_ok();
            !own.iter().any(says) && theirs.iter().all(says)
        })
    }
}

/// The words `crossed_with` reads, each read once: the walk checks a menu
/// in every state and world that reaches it, and reading the labels and
/// the steps anew each time (lower-casing, splitting, a set of strings per
/// word) was most of `lint`'s time on a large line.
pub(crate) struct CrossedWords {
    vocabulary: Vocabulary,
    /// Each option's label words, once read; empty for an option without
    /// a label, which names nothing either way.
    labels: Vec<Option<Vec<u32>>>,
    /// What each step leads on to, once read, by node.
    destinations: Vec<Option<Destination>>,
    /// Per menu, each set of enabled options it was checked with and the
    /// option each of them is crossed with: a menu is met in many states
    /// but with few sets of options, and the verdict depends on nothing
    /// else.
    verdicts: FxHashMap<NodeIx, Vec<Verdicts>>,
}

/// The options enabled at a menu, and for each of them the option it is
/// crossed with, if any.
type Verdicts = (Vec<u32>, Vec<Option<u32>>);

impl CrossedWords {
    pub(crate) fn new(graph: &Graph) -> Self {
        CrossedWords {
            vocabulary: Vocabulary::default(),
            labels: vec![None; graph.options.len()],
            destinations: std::iter::repeat_with(|| None)
                .take(graph.nodes.len())
                .collect(),
            verdicts: FxHashMap::default(),
        }
    }

    /// For each option of `enabled`, the options of `menu` it is crossed
    /// with ([`crossed_with`]), when those are the options enabled there.
    pub(crate) fn at_menu(
        &mut self,
        graph: &Graph,
        menu: NodeIx,
        enabled: &[u32],
    ) -> &[Option<u32>] {
        let known = self
            .verdicts
            .get(&menu)
            .and_then(|seen| seen.iter().position(|(options, _)| options == enabled));
        let at = match known {
            Some(at) => at,
            None => {
                let verdict = enabled
                    .iter()
                    .map(|&option| crossed_with(graph, option, enabled, self))
                    .collect();
                let seen = self.verdicts.entry(menu).or_default();
                seen.push((enabled.to_vec(), verdict));
                seen.len() - 1
            }
        };
        &self.verdicts[&menu][at].1
    }

    /// Reads the labels of `options` that are not read yet.
    fn read_labels(&mut self, graph: &Graph, options: impl Iterator<Item = u32>) {
        for option in options {
            if self.labels[option as usize].is_none() {
                let words = graph
                    .model_option(option)
                    .label
                    .as_ref()
                    .map_or_else(Vec::new, |label| self.vocabulary.read(&label.value, true));
                self.labels[option as usize] = Some(words);
            }
        }
    }
}

/// The option among `others` whose label the target of `option` speaks of,
/// when that target says nothing of `option`'s own label and speaks of no
/// other option: a step that names several options of the menu (the menu
/// itself, repeated; a "main menu" that lists them) is a list, not a
/// crossed wire.
fn crossed_with(
    graph: &Graph,
    option: u32,
    others: &[u32],
    words: &mut CrossedWords,
) -> Option<u32> {
    let target = graph.options[option as usize].goto;
    if target == NONE || target == graph.options[option as usize].menu {
        return None;
    }
    words.read_labels(graph, others.iter().copied().chain([option]));
    let CrossedWords {
        vocabulary,
        labels,
        destinations,
        ..
    } = words;
    let label = |o: u32| labels[o as usize].as_deref().expect("read above");
    // An option without a label, or one of filler words only, names
    // nothing a step could speak of.
    let own = label(option);
    if own.is_empty() {
        return None;
    }
    // Per voice (spoken, named), the other options it names.
    let mut named: [Vec<u32>; 2] = [Vec::new(), Vec::new()];
    for &other in others {
        if other == option || graph.options[other as usize].goto == target {
            continue;
        }
        let theirs = label(other);
        let has_own_word = own.iter().any(|w| theirs.binary_search(w).is_err());
        let theirs_only: Vec<u32> = theirs
            .iter()
            .copied()
            .filter(|w| own.binary_search(w).is_err())
            .collect();
        if !has_own_word || theirs_only.is_empty() {
            continue;
        }
        let heard = destinations[target as usize]
            .get_or_insert_with(|| Destination::read(graph, target, vocabulary));
        // A menu that offers an option of the same name speaks of its own
        // option, not of this one ("For a payment, press 1. For anything
        // else, press 9." after the main menu's "anything else").
        if heard.offered.iter().any(|label| label == theirs) {
            continue;
        }
        for (voice, names) in heard
            .voices_naming(own, &theirs_only)
            .into_iter()
            .enumerate()
        {
            if names {
                named[voice].push(other);
            }
        }
    }
    // A voice naming exactly one other option, and not the option's own
    // label, is a crossed wire; a voice naming several is a list.
    named.iter().find_map(|others| match others.as_slice() {
        [other] => Some(*other),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The words of a text, as `for_each_word` gives them.
    fn words(text: &str) -> BTreeSet<String> {
        let mut got = BTreeSet::new();
        for_each_word(text, &mut String::new(), |w| {
            got.insert(w.to_string());
        });
        got
    }

    /// The words of a label that name something, as `Vocabulary::read`
    /// keeps them.
    fn label_words(label: &str) -> BTreeSet<String> {
        words(label)
            .into_iter()
            .filter(|w| !FILLER.contains(&w.as_str()))
            .collect()
    }

    #[test]
    fn words_split_ids_and_drop_plurals() {
        let got: Vec<String> = words("to_401k-Specialists, payments").into_iter().collect();
        assert_eq!(got, ["401k", "payment", "specialist", "to"]);
    }

    #[test]
    fn words_run_together_are_split_and_codes_kept_whole() {
        let got: Vec<String> = words("SimpleFinancial401K SimpleFinancialIRA IRAAccount")
            .into_iter()
            .collect();
        assert_eq!(got, ["401k", "account", "financial", "ira", "simple"]);
    }

    #[test]
    fn a_word_met_again_has_the_same_number_and_labels_drop_filler() {
        let mut vocabulary = Vocabulary::default();
        let label = vocabulary.read("Payments and the payment plan", true);
        let text = vocabulary.read("Your PAYMENT plans", false);
        assert_eq!(label.len(), 2, "payment and plan, without the filler");
        assert_eq!(text.len(), 3, "your, payment and plan");
        assert!(label.iter().all(|w| text.binary_search(w).is_ok()));
    }

    #[test]
    fn filler_names_nothing() {
        let got: Vec<String> = label_words("Start, stop or move your service")
            .into_iter()
            .collect();
        assert_eq!(got, ["move", "service", "start", "stop"]);
    }
}
