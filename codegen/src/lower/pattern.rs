//! Schema patterns are ECMA-262 regular expressions; the runtime matches with Rust's regex syntax (compiled to
//! a DFA, without Unicode tables). The two read most patterns alike; the ECMA classes do not exist without
//! Unicode tables, so they are spelt out with their ECMA meaning: `\d` is `[0-9]`, `\w` is `[A-Za-z0-9_]`, `\s`
//! is ECMA's white space and line terminators, `\b` is an ASCII word boundary, `\uXXXX` is `\u{XXXX}`.

/// ECMA-262 white space and line terminators, as a class body.
const SPACE: &str =
    r"\t\n\x0B\x0C\r \xA0\u{1680}\u{2000}-\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}\u{FEFF}";

/// `pattern` in the Rust syntax that matches the same strings, or why it cannot be. Unicode property classes
/// (`\p{Lu}`) and inline flags (`(?i)`, not ECMA syntax anyway) are refused here rather than left to the regex
/// library, whose answer would depend on which of its Unicode features other crates of a build turn on.
pub(crate) fn to_rust(pattern: &str) -> Result<String, String> {
    if pattern.contains(r"\p{") || pattern.contains(r"\P{") {
        return Err("Unicode property classes (`\\p{..}`) are not supported".to_owned());
    }
    let flags = pattern.match_indices("(?").any(|(at, _)| {
        let rest = &pattern[at + 2..];
        !(rest.starts_with(':')
            || rest.starts_with('<')
            || rest.starts_with('=')
            || rest.starts_with('!'))
    });
    if flags {
        return Err("inline flags such as `(?i)` are not ECMA-262 pattern syntax".to_owned());
    }
    Ok(translate(pattern))
}

fn translate(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(escaped) = chars.next() else {
                    out.push('\\');
                    break;
                };
                out.push_str(&escape(escaped, in_class, &mut chars));
            }
            '[' if !in_class => {
                let negated = chars.peek() == Some(&'^');
                if negated {
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    // ECMA's `[]` matches nothing and `[^]` anything; in Rust a `]` there would be literal.
                    chars.next();
                    out.push_str(if negated {
                        r"[\x00-\u{10FFFF}]"
                    } else {
                        r"[^\x00-\u{10FFFF}]"
                    });
                    continue;
                }
                in_class = true;
                out.push_str(if negated { "[^" } else { "[" });
            }
            '[' => out.push_str(r"\["),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            // In a Rust class `&&`, `--` and `~~` are operators; in ECMA they are two literal characters.
            '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn escape(
    escaped: char,
    in_class: bool,
    chars: &mut std::iter::Peekable<std::str::Chars>,
) -> String {
    let class = |body: &str, negated: bool| match (in_class, negated) {
        (true, false) => body.to_owned(),
        (false, false) => format!("[{body}]"),
        // A negated class inside a class: Rust allows a nested class.
        (_, true) => format!("[^{body}]"),
    };
    match escaped {
        'd' => class("0-9", false),
        'D' => class("0-9", true),
        'w' => class("A-Za-z0-9_", false),
        'W' => class("A-Za-z0-9_", true),
        's' => class(SPACE, false),
        'S' => class(SPACE, true),
        'b' if in_class => r"\x08".to_owned(),
        'b' => r"(?-u:\b)".to_owned(),
        'B' => r"(?-u:\B)".to_owned(),
        'u' if chars.peek() != Some(&'{') => {
            let hex: String = chars.clone().take(4).collect();
            if hex.len() == 4 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                for _ in 0..4 {
                    chars.next();
                }
                format!(r"\u{{{hex}}}")
            } else {
                r"\u".to_owned()
            }
        }
        '/' => "/".to_owned(),
        other => format!("\\{other}"),
    }
}

#[cfg(test)]
mod tests {
    fn to_rust(pattern: &str) -> String {
        super::to_rust(pattern).unwrap()
    }

    #[test]
    fn ecma_classes_are_spelt_out() {
        assert_eq!(to_rust(r"^\d+$"), "^[0-9]+$");
        assert_eq!(to_rust(r"^[\d-]+$"), "^[0-9-]+$");
        assert_eq!(to_rust(r"^\w\W$"), "^[A-Za-z0-9_][^A-Za-z0-9_]$");
        assert_eq!(to_rust(r"^[^\D]$"), "^[^[^0-9]]$");
        assert_eq!(to_rust(r"^\u0041\/$"), r"^\u{0041}/$");
        assert_eq!(to_rust(r"^[a&&b]$"), r"^[a\&\&b]$");
        assert_eq!(to_rust(r"^\bx$"), r"^(?-u:\b)x$");
        assert_eq!(
            to_rust(r"^[0-9]{1,16}$"),
            r"^[0-9]{1,16}$",
            "most patterns are unchanged"
        );
        for pattern in [
            r"^\d+$",
            r"^\s*\S+$",
            r"^[\w.-]+@[\w.-]+$",
            r"^(?<y>\d{4})$",
        ] {
            let rust = to_rust(pattern);
            assert!(
                regex_automata::dfa::dense::DFA::new(&rust).is_ok(),
                "{pattern} -> {rust}"
            );
        }
        assert!(super::to_rust(r"^\p{Lu}$").is_err());
        assert!(super::to_rust(r"(?i)abc").is_err());
    }
}
