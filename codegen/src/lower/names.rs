//! Rust names from schema names: type names, field names, enum variant names.

/// Whether `name` is a PascalCase Rust type name (ASCII letters and digits, upper-case first).
pub(crate) fn is_pascal_case(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

pub(crate) fn is_snake_case(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The words of a name: split at non-alphanumerics and at lower-to-upper changes (`storeId`, `store-id`,
/// `STORE_ID` and `store id` all give `store`, `id`).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous: Option<char> = None;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous = None;
            continue;
        }
        let boundary = previous.is_some_and(|p| {
            (p.is_ascii_lowercase() || p.is_ascii_digit()) && c.is_ascii_uppercase()
        });
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c);
        previous = Some(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `PascalCase` from any name: `store_id`, `storeId`, `smartpush-app` -> `StoreId`, `SmartpushApp`. `None`
/// when the name has no ASCII letter or digit at all.
pub(crate) fn pascal(name: &str) -> Option<String> {
    let words = words(name);
    if words.is_empty() {
        return None;
    }
    Some(
        words
            .iter()
            .map(|word| {
                let lower = word.to_ascii_lowercase();
                let mut chars = lower.chars();
                chars.next().map_or(String::new(), |first| {
                    first.to_ascii_uppercase().to_string() + chars.as_str()
                })
            })
            .collect(),
    )
}

/// The Rust field name of a member: itself when snake_case, else its snake_case form (`storeId` ->
/// `store_id`); `None` when no Rust name can be made of it.
pub(crate) fn field_name(member: &str) -> Option<String> {
    let name = snake_name(member)?;
    // `self`, `super` and `crate` cannot be fields, not even as raw identifiers (`Self` comes out `self`).
    Some(if matches!(name.as_str(), "self" | "super" | "crate") {
        format!("{name}_")
    } else {
        name
    })
}

fn snake_name(member: &str) -> Option<String> {
    if is_snake_case(member) {
        return Some(member.to_owned());
    }
    let words = words(member);
    if words.is_empty() {
        return None;
    }
    let joined = words
        .iter()
        .map(|word| word.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    Some(if joined.starts_with(|c: char| c.is_ascii_digit()) {
        format!("m_{joined}")
    } else {
        joined
    })
}

/// The Rust variant name of an enum value: the value in PascalCase, prefixed by the enum's name when it would
/// start with a digit (`"1"` of `Level` -> `Level1`); values with no ASCII letter or digit are spelt by their
/// code points (`"男"` -> `U7537`).
pub(crate) fn variant_name(enum_name: &str, wire: &str) -> String {
    let name = variant_from(enum_name, wire);
    // `Unknown` is the variant of values a received enum does not know; `Self` is no variant name.
    match name.as_str() {
        "Unknown" | "Self" => format!("{name}Value"),
        _ => name,
    }
}

fn variant_from(enum_name: &str, wire: &str) -> String {
    match pascal(wire) {
        Some(name) if name.starts_with(|c: char| c.is_ascii_digit()) => {
            format!("{enum_name}{name}")
        }
        Some(name) => name,
        None if wire.is_empty() => "Empty".to_owned(),
        None => wire.chars().map(|c| format!("U{:04X}", c as u32)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_any_spelling() {
        assert_eq!(pascal("smartpush-app").as_deref(), Some("SmartpushApp"));
        assert_eq!(pascal("store_id").as_deref(), Some("StoreId"));
        assert_eq!(pascal("HTTPStatus").as_deref(), Some("Httpstatus"));
        assert_eq!(field_name("storeId").as_deref(), Some("store_id"));
        assert_eq!(field_name("Store-ID").as_deref(), Some("store_id"));
        assert_eq!(field_name("2fa").as_deref(), Some("m_2fa"));
        assert_eq!(field_name("汉字"), None);
        assert_eq!(variant_name("Level", "1"), "Level1");
        assert_eq!(variant_name("Gender", "男"), "U7537");
        assert_eq!(variant_name("Kind", "in_stock"), "InStock");
        assert_eq!(variant_name("State", "unknown"), "UnknownValue");
        assert_eq!(field_name("self").as_deref(), Some("self_"));
    }
}
