//! Regexes written by users (`speech` phrases and `ask` patterns): checked
//! once at load, compiled lazily in shared batches, and asked what they can
//! match.
//!
//! A compiled `regex::Regex` costs several kilobytes however small its
//! pattern, so a set with a hundred thousand distinct phrases would hold
//! gigabytes of automata. Instead the loader checks each distinct pattern on
//! its own (syntax, nesting, compiled size, whether it can match at all) and
//! files it into a [`RegexBatch`] of up to [`BATCH_SIZE`] patterns. A batch is
//! compiled into one lean multi-pattern automaton the first time any of its
//! patterns is matched, and every [`UserRegex`] is a cheap handle into it.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use regex_automata::hybrid::dfa::DFA;
use regex_automata::nfa::thompson::{self, WhichCaptures, NFA};
use regex_automata::util::start;
use regex_automata::{meta, Anchored, Input, PatternID};
use regex_syntax::hir::{
    Capture, Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Repetition,
};
use rustc_hash::FxHashMap;

/// Bounds on user regexes: compiled size and nesting. A pattern past these is
/// a load error, never a slow or memory-hungry walk.
pub(crate) const REGEX_SIZE_LIMIT: usize = 256 * 1024;
pub(crate) const REGEX_NEST_LIMIT: u32 = 64;

/// How many distinct patterns share one compiled automaton. Large enough that
/// the fixed cost of an automaton is spread thin, small enough that matching
/// one pattern (which runs the whole batch over the text) stays cheap.
pub(crate) const BATCH_SIZE: usize = 64;

/// How many lazy-DFA states the search for a match may visit before it gives
/// up and calls the answer unknown.
const SEARCH_STATE_BUDGET: usize = 4096;

/// Why a user pattern cannot be used: the loader reports it at the
/// pattern's place, after what the pattern is for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegexError {
    /// It does not parse; the reason is regex-syntax's, in one line.
    #[error("invalid regex: {0}")]
    Invalid(String),
    #[error("the regex is too big (compiled size over {} bytes)", REGEX_SIZE_LIMIT)]
    TooBig,
    #[error(
        "the regex can never match anything (an empty class such as `[^\\s\\S]` or \
         `[a&&b]`, or anchors and word boundaries that cannot all hold)"
    )]
    NeverMatches,
}

/// The parsed form of a user pattern, with the flags the matcher uses.
pub(crate) fn parse(pattern: &str, case_insensitive: bool) -> Result<Hir, RegexError> {
    regex_syntax::ParserBuilder::new()
        .case_insensitive(case_insensitive)
        .nest_limit(REGEX_NEST_LIMIT)
        .build()
        .parse(pattern)
        .map_err(|e| {
            // regex-syntax's message spans several lines with its own caret;
            // keep the line that says what is wrong.
            let text = e.to_string();
            let reason = text
                .lines()
                .rev()
                .find(|l| l.starts_with("error:"))
                .map(|l| l.trim_start_matches("error:").trim().to_string())
                .unwrap_or(text);
            RegexError::Invalid(reason)
        })
}

/// Checks a user pattern the way the loader must before anything matches
/// with it: it parses, its automata fit the size limit, and it can match
/// some text. The message says what is wrong.
pub(crate) fn check(pattern: &str, case_insensitive: bool) -> Result<(), RegexError> {
    let hir = parse(pattern, case_insensitive)?;
    // The batch that will hold the pattern compiles only a forward
    // automaton (no lazy DFA, so no reverse one); it must fit the limit.
    thompson::Compiler::new()
        .configure(thompson::Config::new().nfa_size_limit(Some(REGEX_SIZE_LIMIT)))
        .build_from_hir(&hir)
        .map_err(|_| RegexError::TooBig)?;
    if language(&hir) == Language::Empty {
        return Err(RegexError::NeverMatches);
    }
    Ok(())
}

/// The part of a pattern that can match, for deciding whether anything does
/// and for generating samples from. Anchors and word
/// boundaries only restrict where a match may sit, so they become empty and
/// the real matcher checks the candidates. Classes that match nothing
/// (`[^\s\S]`, `[a&&b]`) make proptest panic: an alternative that contains
/// one is dropped, and a repetition of one may only repeat zero times. The
/// result is `Hir::fail()` when nothing is left.
pub(crate) fn live_part(hir: &Hir) -> Hir {
    let dead = |h: &Hir| h.properties().minimum_len().is_none();
    match hir.kind() {
        HirKind::Empty | HirKind::Literal(_) => hir.clone(),
        HirKind::Class(_) if dead(hir) => Hir::fail(),
        HirKind::Class(_) => hir.clone(),
        HirKind::Look(_) => Hir::empty(),
        HirKind::Repetition(rep) => {
            let sub = live_part(&rep.sub);
            if !dead(&sub) {
                Hir::repetition(Repetition {
                    sub: Box::new(sub),
                    ..rep.clone()
                })
            } else if rep.min == 0 {
                Hir::empty()
            } else {
                Hir::fail()
            }
        }
        HirKind::Capture(capture) => {
            let sub = live_part(&capture.sub);
            if dead(&sub) {
                Hir::fail()
            } else {
                Hir::capture(Capture {
                    sub: Box::new(sub),
                    ..capture.clone()
                })
            }
        }
        HirKind::Concat(subs) => {
            let subs: Vec<Hir> = subs.iter().map(live_part).collect();
            if subs.iter().any(dead) {
                Hir::fail()
            } else {
                Hir::concat(subs)
            }
        }
        // `Hir::alternation` of no branches is `Hir::fail()`.
        HirKind::Alternation(subs) => {
            Hir::alternation(subs.iter().map(live_part).filter(|h| !dead(h)).collect())
        }
    }
}

/// What a pattern can match, as far as can be decided cheaply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Language {
    /// No text at all.
    Empty,
    /// Some text; the shortest matching text when the search found it.
    NonEmpty(Option<Vec<u8>>),
    /// The search ran out of budget (or met a Unicode word boundary next to
    /// non-ASCII text, which the lazy DFA does not decide).
    Unknown,
}

/// Whether the pattern behind `hir` matches anything.
fn language(hir: &Hir) -> Language {
    // The live part treats anchors and word boundaries as always holding:
    // when even it matches nothing, certainly nothing matches. (regex-syntax's
    // own minimum length cannot decide this alone: it calls `[^\s\S]*`
    // empty, though it matches the empty text.)
    if live_part(hir).properties().minimum_len().is_none() {
        return Language::Empty;
    }
    // Without assertions every remaining construct (literals, non-empty
    // classes, repetitions, alternations) matches something.
    if hir.properties().look_set().is_empty() {
        return Language::NonEmpty(None);
    }
    search(hir)
}

/// The shortest text matching `hir`, searched on its automaton.
///
/// The lazy DFA cannot evaluate a Unicode word boundary next to a non-ASCII
/// byte and stops there. The search then runs on the pattern's ASCII image
/// (see [`ascii_image`]), which matches some text exactly when the pattern
/// does; its text is then only a likely answer, which callers check.
fn search(hir: &Hir) -> Language {
    let compile = |hir: &Hir| {
        thompson::Compiler::new()
            .configure(thompson::Config::new().nfa_size_limit(Some(REGEX_SIZE_LIMIT)))
            .build_from_hir(hir)
            .ok()
    };
    let Some(nfa) = compile(hir) else {
        return Language::Unknown;
    };
    match shortest_match(&nfa) {
        Search::Found(text) => Language::NonEmpty(Some(text)),
        Search::Exhausted => Language::Empty,
        Search::OutOfBudget => Language::Unknown,
        Search::StoppedAtNonAscii => {
            match compile(&ascii_image(hir)).map(|nfa| shortest_match(&nfa)) {
                Some(Search::Found(text)) => Language::NonEmpty(Some(text)),
                Some(Search::Exhausted) => Language::Empty,
                _ => Language::Unknown,
            }
        }
    }
}

/// `hir` with every non-ASCII character replaced by `a` when it is a word
/// character and by a space when it is not, and its Unicode word boundaries
/// read as ASCII ones.
///
/// Assertions only ask whether the characters beside a position are word
/// characters or line ends, and the replacement keeps both. So a text the
/// pattern matches maps to one its image matches, and back: each character
/// of a text the image matches stands for some character of the class it
/// matched, with the same word-ness. Either both match something or neither
/// does, and the image's lazy DFA never meets a non-ASCII byte.
fn ascii_image(hir: &Hir) -> Hir {
    use regex_syntax::hir::Look;
    let word = || match parse(r"\w", false).map(|h| h.into_kind()) {
        Ok(HirKind::Class(Class::Unicode(class))) => class,
        _ => ClassUnicode::empty(),
    };
    let stand_in = |c: char, word: &ClassUnicode| {
        let is_word = word.ranges().iter().any(|r| r.start() <= c && c <= r.end());
        if is_word {
            'a'
        } else {
            ' '
        }
    };
    match hir.kind() {
        HirKind::Literal(literal) => match std::str::from_utf8(&literal.0) {
            Ok(text) if !text.is_ascii() => {
                let word = word();
                let image: String = text
                    .chars()
                    .map(|c| if c.is_ascii() { c } else { stand_in(c, &word) })
                    .collect();
                Hir::literal(image.into_bytes())
            }
            _ => hir.clone(),
        },
        HirKind::Class(Class::Unicode(class))
            if class.ranges().iter().any(|r| !r.end().is_ascii()) =>
        {
            let mut non_ascii = class.clone();
            non_ascii.intersect(&ClassUnicode::new([ClassUnicodeRange::new(
                '\u{80}',
                char::MAX,
            )]));
            let mut ascii = class.clone();
            ascii.difference(&non_ascii);
            let word = word();
            let mut non_ascii_words = non_ascii.clone();
            non_ascii_words.intersect(&word);
            let mut non_ascii_others = non_ascii;
            non_ascii_others.difference(&word);
            if !non_ascii_words.ranges().is_empty() {
                ascii.push(ClassUnicodeRange::new('a', 'a'));
            }
            if !non_ascii_others.ranges().is_empty() {
                ascii.push(ClassUnicodeRange::new(' ', ' '));
            }
            Hir::class(Class::Unicode(ascii))
        }
        HirKind::Look(look) => Hir::look(match look {
            Look::WordUnicode => Look::WordAscii,
            Look::WordUnicodeNegate => Look::WordAsciiNegate,
            Look::WordStartUnicode => Look::WordStartAscii,
            Look::WordEndUnicode => Look::WordEndAscii,
            Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
            Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
            other => *other,
        }),
        HirKind::Repetition(rep) => Hir::repetition(Repetition {
            sub: Box::new(ascii_image(&rep.sub)),
            ..rep.clone()
        }),
        HirKind::Capture(capture) => Hir::capture(Capture {
            sub: Box::new(ascii_image(&capture.sub)),
            ..capture.clone()
        }),
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(ascii_image).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(ascii_image).collect()),
        _ => hir.clone(),
    }
}

/// How a search over a lazy DFA ended.
enum Search {
    /// The shortest text with a match.
    Found(Vec<u8>),
    /// Every reachable state was visited and none matches.
    Exhausted,
    /// Too many states to visit.
    OutOfBudget,
    /// No ASCII text matches, and the DFA could not follow non-ASCII bytes
    /// (a Unicode word boundary).
    StoppedAtNonAscii,
}

/// The shortest haystack in which the automaton finds a match, searched
/// breadth-first over the lazy DFA's states from the start of the text. The
/// DFA decides anchors and word boundaries exactly, which the HIR alone
/// cannot (`a^b` and `a\bb` never match, `\Bment` matches `payment`).
fn shortest_match(nfa: &NFA) -> Search {
    let Ok(dfa) = DFA::builder()
        .configure(
            DFA::config()
                .unicode_word_boundary(true)
                .cache_capacity(8 * REGEX_SIZE_LIMIT),
        )
        .build_from_nfa(nfa.clone())
    else {
        return Search::OutOfBudget;
    };
    let mut cache = dfa.create_cache();
    let Ok(start) = dfa.start_state(&mut cache, &start::Config::new().anchored(Anchored::No))
    else {
        return Search::OutOfBudget;
    };
    // Bytes to try, one per equivalence class, in the order a person would
    // type them, so the text found reads naturally.
    let mut bytes: Vec<u8> = dfa
        .byte_classes()
        .representatives(..)
        .filter_map(|unit| unit.as_u8())
        .collect();
    bytes.sort_by_key(|&b| match b {
        b'a'..=b'z' => (0, b),
        b'0'..=b'9' => (1, b),
        b' ' => (2, b),
        b'A'..=b'Z' => (3, b),
        0x21..=0x7e => (4, b),
        _ => (5, b),
    });
    let mut parent: HashMap<
        regex_automata::hybrid::LazyStateID,
        (regex_automata::hybrid::LazyStateID, u8),
    > = HashMap::new();
    let mut seen = HashSet::from([start]);
    let mut queue = VecDeque::from([start]);
    let mut undecided = false;
    let path = |mut state, parent: &HashMap<_, (_, u8)>| {
        let mut text = Vec::new();
        while let Some(&(previous, byte)) = parent.get(&state) {
            text.push(byte);
            state = previous;
        }
        text.reverse();
        text
    };
    while let Some(state) = queue.pop_front() {
        if seen.len() > SEARCH_STATE_BUDGET {
            return Search::OutOfBudget;
        }
        // A lazy DFA reports a match one step late, so the end of the text
        // is a step of its own.
        match dfa.next_eoi_state(&mut cache, state) {
            Ok(eoi) if eoi.is_match() => return Search::Found(path(state, &parent)),
            Ok(_) => {}
            Err(_) => return Search::OutOfBudget,
        }
        for &byte in &bytes {
            let Ok(next) = dfa.next_state(&mut cache, state, byte) else {
                return Search::OutOfBudget;
            };
            // Clearing the cache invalidates the state ids held here.
            if cache.clear_count() > 0 {
                return Search::OutOfBudget;
            }
            if next.is_match() {
                let mut text = path(state, &parent);
                text.push(byte);
                // The match ended before this byte; the byte itself is only
                // the look-ahead that revealed it, and is kept because a
                // word boundary may need it.
                return Search::Found(text);
            }
            if next.is_quit() {
                undecided = true;
                continue;
            }
            if next.is_dead() || !seen.insert(next) {
                continue;
            }
            parent.insert(next, (state, byte));
            queue.push_back(next);
        }
    }
    if undecided {
        Search::StoppedAtNonAscii
    } else {
        Search::Exhausted
    }
}

/// The shortest text the pattern matches, found on its automaton (see
/// [`search`]); `None` when that search cannot tell.
pub(crate) fn shortest_text(pattern: &str, case_insensitive: bool) -> Option<String> {
    match search(&parse(pattern, case_insensitive).ok()?) {
        Language::NonEmpty(Some(bytes)) => String::from_utf8(bytes).ok(),
        _ => None,
    }
}

/// Up to [`BATCH_SIZE`] distinct patterns with one case-sensitivity, compiled
/// together on first use.
pub(crate) struct RegexBatch {
    case_insensitive: bool,
    /// Filled while loading; frozen once `compiled` is set (the cache that
    /// fills it starts a new batch instead).
    patterns: Mutex<Vec<Arc<str>>>,
    compiled: OnceLock<Compiled>,
}

enum Compiled {
    /// One automaton for the whole batch. Each pattern is compiled as
    /// `(?s:.)*?(?:PATTERN)` so that a search anchored at the start of the
    /// text and limited to that pattern's own start state is an unanchored
    /// search for that pattern alone: matching one pattern costs that
    /// pattern, not the batch.
    Shared(meta::Regex),
    /// Only if the shared automaton would not build although each pattern
    /// passed [`check`] on its own; each pattern then gets its own (`None`
    /// for one that still fails, which matches nothing).
    Each(Vec<Option<regex::Regex>>),
}

impl RegexBatch {
    fn new(case_insensitive: bool) -> RegexBatch {
        RegexBatch {
            case_insensitive,
            patterns: Mutex::new(Vec::new()),
            compiled: OnceLock::new(),
        }
    }

    fn patterns(&self) -> std::sync::MutexGuard<'_, Vec<Arc<str>>> {
        // A poisoned lock only means another thread panicked while pushing a
        // pattern; the list itself is still whole.
        self.patterns.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn compiled(&self) -> &Compiled {
        self.compiled.get_or_init(|| {
            let patterns = self.patterns().clone();
            let anywhere = Hir::repetition(Repetition {
                min: 0,
                max: None,
                greedy: false,
                sub: Box::new(Hir::class(Class::Unicode(ClassUnicode::new([
                    ClassUnicodeRange::new('\0', char::MAX),
                ])))),
            });
            let hirs: Vec<Hir> = patterns
                .iter()
                .map(|p| {
                    // Every pattern here passed `check`, so it parses.
                    let hir = parse(p, self.case_insensitive).unwrap_or_else(|_| Hir::fail());
                    Hir::concat(vec![anywhere.clone(), hir])
                })
                .collect();
            // The PikeVM (and the bounded backtracker for short texts) alone,
            // without capture slots, prefilters or lazy DFAs: their caches
            // and literal searchers cost tens of kilobytes per automaton,
            // while customer phrases are a few words long.
            let config = meta::Config::new()
                .which_captures(WhichCaptures::None)
                .auto_prefilter(false)
                .onepass(false)
                .hybrid(false)
                .dfa(false)
                .nfa_size_limit(Some(REGEX_SIZE_LIMIT.saturating_mul(patterns.len() + 1)));
            match meta::Builder::new()
                .configure(config)
                .build_many_from_hir(&hirs)
            {
                Ok(shared) => Compiled::Shared(shared),
                Err(_) => Compiled::Each(
                    patterns
                        .iter()
                        .map(|p| {
                            regex::RegexBuilder::new(p)
                                .case_insensitive(self.case_insensitive)
                                .size_limit(REGEX_SIZE_LIMIT)
                                .dfa_size_limit(REGEX_SIZE_LIMIT)
                                .nest_limit(REGEX_NEST_LIMIT)
                                .build()
                                .ok()
                        })
                        .collect(),
                ),
            }
        })
    }
}

/// A checked user regex: a handle to its pattern in a shared batch.
#[derive(Clone)]
pub struct UserRegex {
    batch: Arc<RegexBatch>,
    index: usize,
    pattern: Arc<str>,
}

impl UserRegex {
    /// A regex of its own, outside any cache (tests, one-off patterns).
    pub fn new(pattern: &str, case_insensitive: bool) -> Result<UserRegex, RegexError> {
        RegexCache::default().get(pattern, case_insensitive)
    }

    /// Whether the regex matches anywhere in `text` (patterns that must match
    /// the whole text carry their own anchors).
    pub fn is_match(&self, text: &str) -> bool {
        match self.batch.compiled() {
            Compiled::Shared(shared) => PatternID::new(self.index).is_ok_and(|pattern| {
                shared.is_match(Input::new(text).anchored(Anchored::Pattern(pattern)))
            }),
            Compiled::Each(each) => each[self.index]
                .as_ref()
                .is_some_and(|re| re.is_match(text)),
        }
    }

    /// The pattern as compiled.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    pub fn case_insensitive(&self) -> bool {
        self.batch.case_insensitive
    }
}

impl fmt::Debug for UserRegex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UserRegex").field(&self.pattern).finish()
    }
}

/// Checked regexes by pattern. Generated and real menu sets repeat the same
/// few patterns thousands of times (`[0-9]{8}`, `agent`): each distinct
/// pattern is checked once and filed once, so loading stays linear in the
/// number of patterns that differ.
#[derive(Default)]
pub(crate) struct RegexCache {
    /// By case-sensitivity, then pattern: a map per case-sensitivity is
    /// looked up by the pattern as borrowed, where a key of both would
    /// have to be built, a copy of the pattern, at every lookup.
    checked: [FxHashMap<String, Result<UserRegex, RegexError>>; 2],
    /// The batch new patterns go into, by case-sensitivity.
    open: [Option<Arc<RegexBatch>>; 2],
}

impl RegexCache {
    pub(crate) fn get(
        &mut self,
        pattern: &str,
        case_insensitive: bool,
    ) -> Result<UserRegex, RegexError> {
        let case = usize::from(case_insensitive);
        if let Some(known) = self.checked[case].get(pattern) {
            return known.clone();
        }
        let result =
            check(pattern, case_insensitive).map(|()| self.file(pattern, case_insensitive));
        self.checked[case].insert(pattern.to_string(), result.clone());
        result
    }

    /// Files a checked pattern into the open batch for its case-sensitivity,
    /// opening a new one when that is full or already compiled.
    fn file(&mut self, pattern: &str, case_insensitive: bool) -> UserRegex {
        let slot = &mut self.open[usize::from(case_insensitive)];
        let reusable = slot.as_ref().is_some_and(|batch| {
            batch.compiled.get().is_none() && batch.patterns().len() < BATCH_SIZE
        });
        if !reusable {
            *slot = None;
        }
        let batch = slot
            .get_or_insert_with(|| Arc::new(RegexBatch::new(case_insensitive)))
            .clone();
        let pattern: Arc<str> = Arc::from(pattern);
        let index = {
            let mut patterns = batch.patterns();
            patterns.push(pattern.clone());
            patterns.len() - 1
        };
        UserRegex {
            batch,
            index,
            pattern,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The loader puts these texts after what the pattern is for; they read
    /// as they always have.
    #[test]
    fn errors_say_what_is_wrong_with_the_pattern() {
        assert_eq!(
            check("pay(ment", true).unwrap_err().to_string(),
            "invalid regex: unclosed group"
        );
        assert_eq!(
            RegexError::TooBig.to_string(),
            format!("the regex is too big (compiled size over {REGEX_SIZE_LIMIT} bytes)")
        );
        assert_eq!(
            check("[a&&b]", false).unwrap_err().to_string(),
            "the regex can never match anything (an empty class such as `[^\\s\\S]` or \
             `[a&&b]`, or anchors and word boundaries that cannot all hold)"
        );
    }

    #[test]
    fn regexes_that_can_never_match_are_refused() {
        for (pattern, case_insensitive) in [
            (r"[^\s\S]", false),
            ("[a&&b]", true),
            (r"x[^\s\S]+", true),
            ("a^b", false),
            (r"a\bb", true),
            (r"^(?:[0-9]{4})$x", false),
            (r"\Ax\A", false),
            // Unicode digits are word characters too, so no digit at all
            // can follow the start of the text without a boundary.
            (r"^\B\d$", false),
            (r"é\bé", false),
        ] {
            let err = check(pattern, case_insensitive).unwrap_err();
            assert_eq!(err, RegexError::NeverMatches, "{pattern}: {err}");
        }
    }

    #[test]
    fn regexes_with_a_dead_part_or_odd_assertions_still_load() {
        for (pattern, case_insensitive) in [
            (r"a|[^\s\S]", true),
            (r"[^\s\S]*", false),
            (r"x(?:[a&&b])?", false),
            ("(?i)[a&&A]", false),
            (r"\Bment", true),
            (r"(?m)x$\n^y", false),
            (r"\bbilling\b", true),
            (r"é\Bé", false),
            (r"\bété\b", true),
        ] {
            assert_eq!(check(pattern, case_insensitive), Ok(()), "{pattern}");
        }
    }

    #[test]
    fn identical_patterns_share_one_handle_and_batches_fill_up() {
        let mut cache = RegexCache::default();
        let first = cache.get("agent", true).unwrap();
        let again = cache.get("agent", true).unwrap();
        assert!(Arc::ptr_eq(&first.batch, &again.batch) && first.index == again.index);
        let others: Vec<UserRegex> = (0..BATCH_SIZE)
            .map(|i| cache.get(&format!("word{i}"), true).unwrap())
            .collect();
        assert!(Arc::ptr_eq(&first.batch, &others[0].batch));
        assert!(!Arc::ptr_eq(&first.batch, &others[BATCH_SIZE - 1].batch));
        // Each handle matches its own pattern only, whichever batch it is in.
        assert!(first.is_match("I want an AGENT"));
        assert!(!first.is_match("word3"));
        assert!(others[3].is_match("word3") && !others[3].is_match("word4"));
        assert!(others[BATCH_SIZE - 1].is_match(&format!("word{}", BATCH_SIZE - 1)));
        // Case-sensitivity is part of the pattern's identity.
        let exact = cache.get("agent", false).unwrap();
        assert!(!exact.is_match("AGENT") && exact.is_match("agent"));
    }

    #[test]
    fn a_compiled_batch_takes_no_more_patterns() {
        let mut cache = RegexCache::default();
        let first = cache.get("one", false).unwrap();
        assert!(first.is_match("one"));
        let second = cache.get("two", false).unwrap();
        assert!(!Arc::ptr_eq(&first.batch, &second.batch));
        assert!(second.is_match("two") && !second.is_match("one"));
    }
}
