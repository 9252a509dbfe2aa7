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

/// The length of the longest word of [`FILLER`], so that a longer word is
/// not looked for there.
const FILLER_LONGEST: usize = 5;

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
    // Nearly every text is ASCII, where a byte is a character and the
    // character classes are the ASCII ones: read it a byte at a time.
    if text.is_ascii() {
        for token in text.split(|c: char| !c.is_ascii_alphanumeric()) {
            for_each_ascii_joined_word(token.as_bytes(), |part| {
                if part.is_empty() {
                    return;
                }
                lowered.clear();
                lowered.push_str(part);
                lowered.make_ascii_lowercase();
                each(stem(lowered));
            });
        }
        return;
    }
    for_each_unicode_word(text, lowered, each);
}

/// [`for_each_word`] for any text, a character at a time.
fn for_each_unicode_word(text: &str, lowered: &mut String, mut each: impl FnMut(&str)) {
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
            each(stem(lowered));
        });
    }
}

/// A lower-cased word with a plural `s` dropped ("payments" is "payment",
/// "access" stays itself).
fn stem(lowered: &str) -> &str {
    match lowered.strip_suffix('s') {
        Some(stem) if stem.len() >= 3 && !stem.ends_with('s') => stem,
        _ => lowered,
    }
}

/// [`for_each_joined_word`] for an ASCII token, byte by byte: the same
/// boundaries, since on ASCII the character classes it asks about are the
/// ASCII ones.
fn for_each_ascii_joined_word<'t>(token: &'t [u8], mut each: impl FnMut(&'t str)) {
    // Every slice below starts and ends at a byte of ASCII text, so each is
    // valid UTF-8; `from_utf8` only says so.
    let text = |from: usize, to: usize| std::str::from_utf8(&token[from..to]).unwrap_or("");
    let mut start = 0;
    for at in 1..token.len() {
        let (previous, c) = (token[at - 1], token[at]);
        let next_is_lower = token.get(at + 1).is_some_and(u8::is_ascii_lowercase);
        let boundary = (previous.is_ascii_lowercase()
            && (c.is_ascii_uppercase() || c.is_ascii_digit()))
            || (previous.is_ascii_uppercase() && c.is_ascii_uppercase() && next_is_lower);
        if boundary {
            each(text(start, at));
            start = at;
        }
    }
    each(text(start, token.len()));
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
    /// One bit per (first byte, length) some numbered word has: most
    /// words of a step's text are no label's, and this tells most of them
    /// apart without hashing them.
    shapes: WordShapes,
}

/// A set of (first byte, length up to 63) pairs, see
/// [`Vocabulary::shapes`].
struct WordShapes([u64; 256]);

impl Default for WordShapes {
    fn default() -> Self {
        WordShapes([0; 256])
    }
}

impl WordShapes {
    fn bit(word: &str) -> (usize, u64) {
        let first = word.as_bytes().first().copied().unwrap_or(0);
        (usize::from(first), 1 << word.len().min(63))
    }

    fn insert(&mut self, word: &str) {
        let (row, bit) = WordShapes::bit(word);
        self.0[row] |= bit;
    }

    /// Whether some word inserted may be `word`: false means none is.
    fn may_hold(&self, word: &str) -> bool {
        let (row, bit) = WordShapes::bit(word);
        self.0[row] & bit != 0
    }
}

impl Vocabulary {
    /// The numbers of the words of `text`, as a sorted set; with
    /// `names_only`, without the filler words, as a label's words are read.
    #[cfg(test)]
    fn read(&mut self, text: &str, names_only: bool) -> Vec<u32> {
        let mut set = Vec::new();
        self.read_into(text, names_only, &mut set);
        sorted_set(set)
    }

    /// The numbers of the words of `text` that are already numbered, added
    /// to `into` unsorted: a word no label has can tell no option apart,
    /// so a step's words are only looked up, never numbered.
    fn known_into(&mut self, text: &str, into: &mut Vec<u32>) {
        let Vocabulary {
            numbers,
            lowered,
            shapes,
        } = self;
        for_each_word(text, lowered, |word| {
            if !shapes.may_hold(word) {
                return;
            }
            if let Some(&number) = numbers.get(word) {
                into.push(number);
            }
        });
    }

    /// The numbers of the words of `text`, added to `into` unsorted.
    fn read_into(&mut self, text: &str, names_only: bool, into: &mut Vec<u32>) {
        let Vocabulary {
            numbers,
            lowered,
            shapes,
        } = self;
        for_each_word(text, lowered, |word| {
            if names_only && word.len() <= FILLER_LONGEST && FILLER.contains(&word) {
                return;
            }
            let next = numbers.len() as u32;
            let number = match numbers.get(word) {
                Some(&number) => number,
                None => {
                    numbers.insert(word.to_string(), next);
                    shapes.insert(word);
                    next
                }
            };
            into.push(number);
        });
    }
}

#[cfg(test)]
fn sorted_set(mut words: Vec<u32>) -> Vec<u32> {
    words.sort_unstable();
    words.dedup();
    words
}

/// Where one sorted set of word numbers lies in [`WordSets`].
#[derive(Debug, Clone, Copy, Default)]
struct WordRange {
    start: u32,
    end: u32,
}

impl WordRange {
    fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// Sorted sets of word numbers stored end to end in one vector: the walk
/// reads thousands of labels and steps, and one allocation for all of them
/// (and one to free) costs far less than one each.
#[derive(Default)]
struct WordSets {
    words: Vec<u32>,
}

impl WordSets {
    /// Stores the words of `scratch` as a sorted set, and empties it.
    fn push(&mut self, scratch: &mut Vec<u32>) -> WordRange {
        scratch.sort_unstable();
        scratch.dedup();
        let start = self.words.len() as u32;
        self.words.append(scratch);
        WordRange {
            start,
            end: self.words.len() as u32,
        }
    }

    fn get(&self, range: WordRange) -> &[u32] {
        &self.words[range.start as usize..range.end as usize]
    }
}

/// What a step and the plain steps after it say and are named, as sorted
/// sets of the numbers of the words some label has (no other word can tell
/// one option from another).
#[derive(Debug, Clone, Copy)]
struct Destination {
    /// What the caller is told: texts and prompts.
    spoken: WordRange,
    /// What the steps are named: ids and transfer queues.
    named: WordRange,
    /// The menu the steps lead to, if they lead to one (else `NONE`): a
    /// menu that offers its own "anything else" is not speaking of the
    /// "anything else" of the menu before it.
    menu: NodeIx,
}

/// The words `crossed_with` reads, each read once: a menu is judged under
/// every set of options some world enables, and many menus lead to the
/// same steps and share labels, so reading the labels and the steps anew
/// each time (lower-casing, splitting, a set of strings per word) was most
/// of `lint`'s time on a large line.
pub(crate) struct CrossedWords {
    vocabulary: Vocabulary,
    /// Every label's and every destination's words.
    sets: WordSets,
    /// Words being read, before they are stored as a set.
    spoken: Vec<u32>,
    named: Vec<u32>,
    /// Each option's label words, all read first; empty for an option
    /// without a label, which names nothing either way.
    labels: Vec<WordRange>,
    /// What each step leads on to, once read, by node.
    destinations: Vec<Option<Destination>>,
    /// The verdicts of the last [`CrossedWords::at_menu`], a buffer kept
    /// for the next: `MenuVerdicts` judges each menu once per set of
    /// enabled options, so there is nothing to remember between calls.
    crossed: Vec<Option<u32>>,
}

impl CrossedWords {
    pub(crate) fn new(graph: &Graph) -> Self {
        // Every label is read before any step, so that the vocabulary
        // holds every word a label has when the steps are looked up in it:
        // the rule compares a step's words with labels' words only.
        let mut vocabulary = Vocabulary::default();
        let mut sets = WordSets::default();
        let mut scratch = Vec::new();
        // Labels repeat across menus ("Anything else", the same topics on
        // every level): a label read before shares its set, and hashing it
        // whole costs less than reading its words again. A label met again
        // numbers no new word, so the numbers are those of reading each.
        let mut read: FxHashMap<&str, WordRange> = FxHashMap::default();
        let labels = (0..graph.options.len() as u32)
            .map(|option| match graph.model_option(option).label.as_ref() {
                Some(label) => *read.entry(label.value.as_str()).or_insert_with(|| {
                    vocabulary.read_into(&label.value, true, &mut scratch);
                    sets.push(&mut scratch)
                }),
                None => sets.push(&mut scratch),
            })
            .collect();
        CrossedWords {
            vocabulary,
            sets,
            spoken: Vec::new(),
            named: Vec::new(),
            labels,
            destinations: vec![None; graph.nodes.len()],
            crossed: Vec::new(),
        }
    }

    /// For each option of `enabled`, the option of the same menu it is
    /// crossed with ([`crossed_with`]), when those are the options enabled
    /// there.
    pub(crate) fn at_menu(&mut self, graph: &Graph, enabled: &[u32]) -> &[Option<u32>] {
        let mut crossed = std::mem::take(&mut self.crossed);
        crossed.clear();
        crossed.extend(
            enabled
                .iter()
                .map(|&option| crossed_with(graph, option, enabled, self)),
        );
        self.crossed = crossed;
        &self.crossed
    }

    /// The words of an option's label.
    fn label(&self, option: u32) -> WordRange {
        self.labels[option as usize]
    }

    /// What `start` and the plain steps after it say and are named, read
    /// the first time it is asked for.
    fn destination(&mut self, graph: &Graph, start: NodeIx) -> Destination {
        if let Some(known) = self.destinations[start as usize] {
            return known;
        }
        let mut menu = NONE;
        let mut node = start;
        let mut seen = [NONE; PLAIN_STEPS + 1];
        let mut steps = 0;
        while node != NONE && !seen[..steps].contains(&node) && steps <= PLAIN_STEPS {
            seen[steps] = node;
            steps += 1;
            let model = graph.model_node(node);
            self.vocabulary.known_into(&model.id.value, &mut self.named);
            if let Some(text) = model.kind.text() {
                self.vocabulary.known_into(text, &mut self.spoken);
            }
            if let NodeKind::Transfer { queue, .. } = &model.kind {
                self.vocabulary.known_into(&queue.value, &mut self.named);
            }
            if matches!(graph.nodes[node as usize].kind, Kind::Menu { .. }) {
                menu = node;
            }
            node = match graph.nodes[node as usize].kind {
                Kind::Say { next } | Kind::Set { next, .. } => next,
                _ => NONE,
            };
        }
        let spoken = self.sets.push(&mut self.spoken);
        let named = self.sets.push(&mut self.named);
        let destination = Destination {
            spoken,
            named,
            menu,
        };
        self.destinations[start as usize] = Some(destination);
        destination
    }

    /// Whether the menu `heard` leads to offers an option whose label's
    /// words are `theirs`.
    fn offers(&self, graph: &Graph, heard: Destination, theirs: &[u32]) -> bool {
        // A label of filler words only names nothing, and `theirs` is never
        // empty here.
        menu_options(graph, heard.menu).is_some_and(|mut options| {
            options.any(|option| self.sets.get(self.label(option)) == theirs)
        })
    }
}

/// The options of `node` when it is a menu (`NONE` is none).
fn menu_options(graph: &Graph, node: NodeIx) -> Option<std::ops::Range<u32>> {
    match &graph.nodes.get(node as usize)?.kind {
        Kind::Menu { options, .. } => Some(options.clone()),
        _ => None,
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
    // An option without a label, or one of filler words only, names
    // nothing a step could speak of.
    let own_range = words.label(option);
    if own_range.is_empty() {
        return None;
    }
    // Per voice (spoken, named): how many other options it names, and the
    // first of them.
    let mut named: [(usize, Option<u32>); 2] = [(0, None); 2];
    for &other in others {
        if other == option || graph.options[other as usize].goto == target {
            continue;
        }
        let their_range = words.label(other);
        let (own, theirs) = (words.sets.get(own_range), words.sets.get(their_range));
        let has_own_word = own.iter().any(|w| theirs.binary_search(w).is_err());
        let only_theirs = |w: &&u32| own.binary_search(w).is_err();
        if !has_own_word || !theirs.iter().any(|w| only_theirs(&w)) {
            continue;
        }
        let heard = words.destination(graph, target);
        let (own, theirs) = (words.sets.get(own_range), words.sets.get(their_range));
        // A menu that offers an option of the same name speaks of its own
        // option, not of this one ("For a payment, press 1. For anything
        // else, press 9." after the main menu's "anything else").
        if words.offers(graph, heard, theirs) {
            continue;
        }
        // A voice names the other option when it says every word of the
        // other's label that this label lacks and none of this label's.
        for (voice, range) in [heard.spoken, heard.named].into_iter().enumerate() {
            let said = words.sets.get(range);
            let says = |w: &u32| said.binary_search(w).is_ok();
            let names = !own.iter().any(says)
                && theirs
                    .iter()
                    .filter(|w| own.binary_search(w).is_err())
                    .all(says);
            if names {
                named[voice].0 += 1;
                named[voice].1.get_or_insert(other);
            }
        }
    }
    // A voice naming exactly one other option, and not the option's own
    // label, is a crossed wire; a voice naming several is a list.
    named
        .iter()
        .find_map(|&(count, first)| if count == 1 { first } else { None })
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
    fn a_step_finds_every_label_word_it_says_and_no_other() {
        let mut vocabulary = Vocabulary::default();
        let label = vocabulary.read("Payments, IRA and 401K accounts", true);
        let mut heard = Vec::new();
        vocabulary.known_into(
            "Your payment goes to the 401K desk; an Iraq trip is not an account",
            &mut heard,
        );
        let heard = sorted_set(heard);
        let account = vocabulary.read("account", false);
        let payment = vocabulary.read("payment", false);
        let code = vocabulary.read("401k", false);
        let mut expected = [account, payment, code].concat();
        expected.sort_unstable();
        assert_eq!(heard, expected, "ira is not said, iraq is no label word");
        assert_eq!(label.len(), 4);
    }

    #[test]
    fn no_filler_word_is_longer_than_the_check_allows() {
        assert!(FILLER.iter().all(|w| w.len() <= FILLER_LONGEST));
        assert!(FILLER.iter().any(|w| w.len() == FILLER_LONGEST));
    }

    #[test]
    fn ascii_text_gives_the_words_the_character_reader_gives() {
        for text in [
            "to_401k-Specialists, payments",
            "SimpleFinancial401K SimpleFinancialIRA IRAAccount",
            "aB Ab AB abC ABc A1b 1Ab a1 X",
            "access glass ss sss ABCs",
            "  --__  ",
            "",
        ] {
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            for_each_word(text, &mut String::new(), |w| fast.push(w.to_string()));
            for_each_unicode_word(text, &mut String::new(), |w| slow.push(w.to_string()));
            assert_eq!(fast, slow, "{text:?}");
        }
    }

    #[test]
    fn filler_names_nothing() {
        let got: Vec<String> = label_words("Start, stop or move your service")
            .into_iter()
            .collect();
        assert_eq!(got, ["move", "service", "start", "stop"]);
    }
}
