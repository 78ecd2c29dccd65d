//! Schema `pattern`s: compiled once into a DFA, then flattened into a table that a match walks in a few
//! instructions per byte. The values checked are short (rates, digit strings) and there are thousands per
//! request, so a search's set-up would cost more than the walk itself.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex_automata::dfa::dense::DFA;
use regex_automata::dfa::Automaton;
use regex_automata::util::primitives::StateID;
use regex_automata::Input;

type Dfa = DFA<Vec<u32>>;

/// A schema `pattern`, compiled on first use and shared by every check of it.
#[derive(Debug)]
pub struct Pattern {
    source: &'static str,
    /// What is compiled: `source`, or its Rust spelling when the schema's ECMA-262 syntax differs.
    rust: &'static str,
    compiled: OnceLock<Option<Compiled>>,
}

#[derive(Debug)]
enum Compiled {
    /// The usual case: the DFA flattened into a table.
    Table(Table),
    /// A DFA that does not fit a table (or has quit bytes): the library's search decides.
    Search(Box<Dfa>),
}

impl Pattern {
    /// A pattern from a schema (the generator has already checked that it compiles).
    pub const fn new(source: &'static str) -> Self {
        Pattern {
            source,
            rust: source,
            compiled: OnceLock::new(),
        }
    }

    /// A pattern the schema writes in ECMA-262 syntax (`\d`, `\w`, `\s`), with the Rust syntax of the same
    /// language (`[0-9]`, ...) that is compiled; messages show the schema's.
    pub const fn translated(source: &'static str, rust: &'static str) -> Self {
        Pattern {
            source,
            rust,
            compiled: OnceLock::new(),
        }
    }

    /// The pattern as the schema writes it.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether `value` matches anywhere (JSON Schema's `pattern` is not implicitly anchored); a pattern that
    /// does not compile matches nothing, so nothing slips through.
    pub fn is_match(&self, value: &str) -> bool {
        let compiled = self.compiled.get_or_init(|| {
            let dfa = Dfa::new(self.rust).ok()?;
            Some(Table::of(&dfa).map_or_else(|| Compiled::Search(Box::new(dfa)), Compiled::Table))
        });
        match compiled {
            Some(Compiled::Table(table)) => table.is_match(value.as_bytes()),
            Some(Compiled::Search(dfa)) => search(dfa, value),
            None => false,
        }
    }
}

/// The library's own search: what the table must agree with.
fn search(dfa: &Dfa, value: &str) -> bool {
    matches!(dfa.try_search_fwd(&Input::new(value)), Ok(Some(_)))
}

/// The table's mark for "a match ended" (match states come one byte late): the value matches.
const MATCHED: u16 = u16::MAX;
/// The table's mark for "no match can follow": the value does not match.
const DEAD: u16 = u16::MAX - 1;

/// The DFA's states reachable from the start of a value, renumbered densely from 0 (the start), one row of
/// 256 next states each. A transition into a match or dead state is [`MATCHED`] or [`DEAD`] instead, so the
/// walk tests one number per byte.
#[derive(Debug)]
struct Table {
    rows: Vec<[u16; 256]>,
    /// Per state: whether the end of the value completes a match (for `$`).
    at_end: Vec<bool>,
}

impl Table {
    /// Schema patterns have a handful of states; a larger DFA keeps the library's search.
    const MOST_STATES: usize = 1024;

    fn of(dfa: &Dfa) -> Option<Table> {
        let start = dfa.start_state_forward(&Input::new("")).ok()?;
        if dfa.is_match_state(start) || dfa.is_dead_state(start) || dfa.is_quit_state(start) {
            return None; // row 0 must be a state the walk goes on from
        }
        let mut ids: Vec<StateID> = vec![start];
        let mut numbers: HashMap<StateID, u16> = HashMap::from([(start, 0)]);
        let mut table = Table {
            rows: Vec::new(),
            at_end: Vec::new(),
        };
        while let Some(&state) = ids.get(table.rows.len()) {
            let mut row = [DEAD; 256];
            for (byte, next) in (0..=255u8).zip(row.iter_mut()) {
                let id = dfa.next_state(state, byte);
                if dfa.is_quit_state(id) || ids.len() > Self::MOST_STATES {
                    return None;
                }
                *next = if dfa.is_match_state(id) {
                    MATCHED
                } else if dfa.is_dead_state(id) {
                    DEAD
                } else {
                    *numbers.entry(id).or_insert_with(|| {
                        ids.push(id);
                        (ids.len() - 1) as u16
                    })
                };
            }
            table.rows.push(row);
            table
                .at_end
                .push(dfa.is_match_state(dfa.next_eoi_state(state)));
        }
        Some(table)
    }

    fn is_match(&self, value: &[u8]) -> bool {
        let mut state = 0;
        for &byte in value {
            let next = self.rows[state][usize::from(byte)];
            if next >= DEAD {
                return next == MATCHED;
            }
            state = usize::from(next);
        }
        self.at_end[state]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Anchored and unanchored patterns, with look-around, classes and Unicode, as schemas may write them.
    const PATTERNS: [&str; 8] = [
        "^(0|[1-9][0-9]*)(\\.[0-9]+)?$",
        "^[0-9]+$",
        "^([0-9]{1,16})?$",
        "[0-9]",
        "a.c",
        "^$",
        "",
        "^\\p{Han}{1,3}$",
    ];

    #[test]
    fn patterns_match_anywhere_unless_anchored() {
        let cases = [
            (PATTERNS[0], "41.5", true),
            (PATTERNS[0], "0", true),
            (PATTERNS[0], "01", false),
            (PATTERNS[0], "1.", false),
            (PATTERNS[0], "", false),
            (PATTERNS[1], "123", true),
            (PATTERNS[1], "12a", false),
            (PATTERNS[2], "", true),
            (PATTERNS[2], "12345678901234567", false),
            (PATTERNS[3], "x9y", true),
            (PATTERNS[3], "xy", false),
            (PATTERNS[4], "zzabczz", true),
            (PATTERNS[5], "", true),
            (PATTERNS[5], "x", false),
            (PATTERNS[6], "anything", true),
            (PATTERNS[7], "汉字", true),
            (PATTERNS[7], "汉x", false),
        ];
        for (source, value, expected) in cases {
            let pattern = Pattern::new(source);
            assert_eq!(pattern.is_match(value), expected, "{source} on {value:?}");
        }
        assert!(
            !Pattern::new("(").is_match("("),
            "a broken pattern matches nothing"
        );
    }

    #[test]
    fn every_schema_like_pattern_gets_a_table() {
        for source in PATTERNS {
            let dfa = Dfa::new(source).unwrap();
            assert!(Table::of(&dfa).is_some(), "{source}");
        }
    }

    proptest::proptest! {
        #[test]
        fn the_table_agrees_with_the_search(value in "[0-9.ax\\-汉]{0,8}", which in 0..PATTERNS.len()) {
            let dfa = Dfa::new(PATTERNS[which]).unwrap();
            let table = Table::of(&dfa).unwrap();
            proptest::prop_assert_eq!(table.is_match(value.as_bytes()), search(&dfa, &value));
        }
    }
}
