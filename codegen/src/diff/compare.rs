//! Walking two lowered models side by side: endpoints, types, members, shapes and checks, each difference a
//! [`Change`] with its two verdicts.

use std::collections::BTreeMap;

use super::{Change, Verdict};
use crate::model::{
    Additional, Bound, Check, Direction, Endpoint, Field, Literal, Module, Shape, Struct, Ty,
    TypeDef, TypeKind,
};

/// How a change breaks, by the side of the wire a type is on: a sent type breaks when NEW's platform would
/// refuse what OLD's client sends; a received type when OLD's client could not read what NEW's platform sends.
/// The `reverse_` pair is the other direction, a client generated from NEW against a platform still on OLD
/// (a rollout): it does not make the verdict, the note says it.
#[derive(Clone, Copy, Default)]
struct Breaks {
    sent: bool,
    received: bool,
    api: bool,
    reverse_sent: bool,
    reverse_received: bool,
}

impl Breaks {
    fn sent(api: bool) -> Self {
        Breaks {
            sent: true,
            api,
            ..Breaks::default()
        }
    }
    fn received(api: bool) -> Self {
        Breaks {
            received: true,
            api,
            ..Breaks::default()
        }
    }
    fn wire(api: bool) -> Self {
        Breaks {
            sent: true,
            received: true,
            api,
            ..Breaks::default()
        }
    }
    fn api_only() -> Self {
        Breaks {
            api: true,
            ..Breaks::default()
        }
    }
    fn none() -> Self {
        Breaks::default()
    }
    /// Only a client generated from NEW may send what a platform still on OLD refuses.
    fn reverse_sent() -> Self {
        Breaks {
            reverse_sent: true,
            ..Breaks::default()
        }
    }
}

/// Where changes are recorded for one pair of modules.
struct Pair<'a> {
    schema: String,
    /// Definitions renamed from OLD to NEW (same structure, other name).
    renamed: BTreeMap<&'a str, &'a str>,
    /// The request type and its batch member, for the batch limit's own change code.
    batch: Option<(String, String)>,
    out: &'a mut Vec<Change>,
}

impl Pair<'_> {
    fn push(
        &mut self,
        pointer: &str,
        change: &'static str,
        direction: Direction,
        breaks: Breaks,
        note: String,
    ) {
        let wire =
            (direction.validated() && breaks.sent) || (direction.tolerant() && breaks.received);
        let reverse = (direction.validated() && breaks.reverse_sent)
            || (direction.tolerant() && breaks.reverse_received);
        let note = match (wire, reverse) {
            (false, true) if direction.validated() && breaks.reverse_sent => format!(
                "{}; in reverse, NEW's client may send what a platform still on OLD refuses.",
                note.trim_end_matches('.')
            ),
            (false, true) => format!(
                "{}; in reverse, NEW's client cannot read what a platform still on OLD sends.",
                note.trim_end_matches('.')
            ),
            _ => note,
        };
        self.out.push(Change {
            schema: self.schema.clone(),
            pointer: pointer.to_owned(),
            change,
            wire: Verdict::from_breaks(wire),
            api: Verdict::from_breaks(breaks.api),
            note,
        });
    }
}

pub(super) fn modules(old: &[Module], new: &[Module]) -> Vec<Change> {
    let mut out = Vec::new();
    for (old, new) in match_modules(old, new) {
        match (old, new) {
            (Some(old), Some(new)) => module_pair(old, new, &mut out),
            (Some(old), None) => whole_module(old, false, &mut out),
            (None, Some(new)) => whole_module(new, true, &mut out),
            (None, None) => {}
        }
    }
    out
}

/// Modules matched by schema file, then by what they generate (vendor, module, version), then, when one
/// file is compared with another, the two endpoints of one operation.
fn match_modules<'a>(
    old: &'a [Module],
    new: &'a [Module],
) -> Vec<(Option<&'a Module>, Option<&'a Module>)> {
    let key = |m: &Module| {
        (
            m.vendor.clone(),
            m.name.clone(),
            m.endpoint.as_ref().map(|e| e.version.clone()),
        )
    };
    let mut pairs = Vec::new();
    let mut unmatched_new: Vec<&Module> = new.iter().collect();
    let mut unmatched_old = Vec::new();
    for module in old {
        let found = unmatched_new
            .iter()
            .position(|n| n.source == module.source)
            .or_else(|| unmatched_new.iter().position(|n| key(n) == key(module)));
        match found {
            Some(index) => pairs.push((Some(module), Some(unmatched_new.remove(index)))),
            None => unmatched_old.push(module),
        }
    }
    let same_operation =
        |a: &Module, b: &Module| a.vendor == b.vendor && a.name == b.name && a.endpoint.is_some();
    if let ([old], [new]) = (unmatched_old.as_slice(), unmatched_new.as_slice()) {
        if same_operation(old, new) {
            return pairs
                .into_iter()
                .chain(std::iter::once((Some(*old), Some(*new))))
                .collect();
        }
    }
    pairs.extend(unmatched_old.into_iter().map(|m| (Some(m), None)));
    pairs.extend(unmatched_new.into_iter().map(|m| (None, Some(m))));
    pairs
}

fn whole_module(module: &Module, added: bool, out: &mut Vec<Change>) {
    let mut pair = Pair {
        schema: module.source.clone(),
        renamed: BTreeMap::new(),
        batch: None,
        out,
    };
    match &module.endpoint {
        Some(endpoint) => {
            let name = format!(
                "{}.{}@{}",
                endpoint.vendor, endpoint.operation, endpoint.version
            );
            if added {
                pair.push(
                    "/x-endpoint",
                    "endpoint-added",
                    Direction::Request,
                    Breaks::none(),
                    format!("New endpoint `{name}`."),
                );
            } else {
                let note = format!("Endpoint `{name}` and its types are gone; calls to it fail.");
                pair.push(
                    "/x-endpoint",
                    "endpoint-removed",
                    Direction::Request,
                    Breaks::wire(true),
                    note,
                );
            }
        }
        None => {
            for def in &module.types {
                type_added_or_removed(&mut pair, def, added);
            }
        }
    }
}

fn type_added_or_removed(pair: &mut Pair, def: &TypeDef, added: bool) {
    if added {
        pair.push(
            &def.pointer,
            "type-added",
            def.direction,
            Breaks::none(),
            format!("New type `{}`.", def.name),
        );
    } else {
        let note = format!(
            "Type `{}` is gone: code naming it no longer compiles.",
            def.name
        );
        pair.push(
            &def.pointer,
            "type-removed",
            def.direction,
            Breaks::api_only(),
            note,
        );
    }
}

fn module_pair(old: &Module, new: &Module, out: &mut Vec<Change>) {
    let renamed = renames(old, new);
    let batch = new.endpoint.as_ref().and_then(|e| {
        e.batch
            .as_ref()
            .map(|b| (e.request.clone(), b.member.clone()))
    });
    let mut pair = Pair {
        schema: new.source.clone(),
        renamed,
        batch,
        out,
    };
    if let (Some(old_endpoint), Some(new_endpoint)) = (&old.endpoint, &new.endpoint) {
        endpoint_pair(&mut pair, old_endpoint, new_endpoint, old, new);
    }
    let old_types: BTreeMap<&str, &TypeDef> =
        old.types.iter().map(|d| (d.name.as_str(), d)).collect();
    let new_types: BTreeMap<&str, &TypeDef> =
        new.types.iter().map(|d| (d.name.as_str(), d)).collect();
    for (name, old_def) in &old_types {
        match new_types.get(name) {
            Some(new_def) => type_pair(&mut pair, old_def, new_def),
            None => match pair.renamed.get(name).copied() {
                Some(new_name) => {
                    let new_def = new_types[new_name];
                    let note =
                        format!("`{name}` is now `{new_name}`: same JSON, another Rust name.");
                    pair.push(
                        &new_def.pointer,
                        "type-renamed",
                        new_def.direction,
                        Breaks::api_only(),
                        note,
                    );
                }
                None => {
                    let removed_at = pair.schema.clone();
                    pair.schema = old.source.clone();
                    type_added_or_removed(&mut pair, old_def, false);
                    pair.schema = removed_at;
                }
            },
        }
    }
    let renamed_to: Vec<&str> = pair.renamed.values().copied().collect();
    for (name, new_def) in &new_types {
        if !old_types.contains_key(name) && !renamed_to.contains(name) {
            type_added_or_removed(&mut pair, new_def, true);
        }
    }
}

/// Definitions of OLD missing from NEW whose structure a new definition has exactly.
fn renames<'a>(old: &'a Module, new: &'a Module) -> BTreeMap<&'a str, &'a str> {
    let mut renamed = BTreeMap::new();
    for old_def in old
        .types
        .iter()
        .filter(|d| !new.types.iter().any(|n| n.name == d.name))
    {
        let candidate = new.types.iter().find(|n| {
            !old.types.iter().any(|o| o.name == n.name)
                && !renamed.values().any(|taken: &&str| *taken == n.name)
                && same_structure(&old_def.kind, &n.kind)
        });
        if let Some(new_def) = candidate {
            renamed.insert(old_def.name.as_str(), new_def.name.as_str());
        }
    }
    renamed
}

/// Structural equality of two kinds, their schema pointers and docs aside.
fn same_structure(old: &TypeKind, new: &TypeKind) -> bool {
    fn strip(kind: &TypeKind) -> TypeKind {
        let mut kind = kind.clone();
        if let TypeKind::Struct(s) = &mut kind {
            for field in &mut s.fields {
                field.pointer.clear();
                field.doc = None;
            }
        }
        match &mut kind {
            TypeKind::IntEnum(variants) => variants.iter_mut().for_each(|v| v.doc = None),
            TypeKind::StrEnum(variants) => variants.iter_mut().for_each(|v| v.doc = None),
            _ => {}
        }
        kind
    }
    strip(old) == strip(new)
}

fn endpoint_pair(
    pair: &mut Pair,
    old: &Endpoint,
    new: &Endpoint,
    old_module: &Module,
    new_module: &Module,
) {
    let request = Direction::Request;
    if old.path != new.path {
        let note = format!(
            "The path is `{}`, was `{}`: OLD's client calls the old one.",
            new.path, old.path
        );
        pair.push(
            "/x-endpoint/path",
            "path-changed",
            request,
            Breaks::sent(false),
            note,
        );
    }
    if old.method != new.method {
        let note = format!("The method is {}, was {}.", new.method, old.method);
        pair.push(
            "/x-endpoint/method",
            "method-changed",
            request,
            Breaks::sent(false),
            note,
        );
    }
    if old.version != new.version {
        let moved = old_module.version_module != new_module.version_module;
        let note = format!(
            "The version is `{}`, was `{}`: OLD's client sends to the old one.",
            new.version, old.version
        );
        pair.push(
            "/x-endpoint/version",
            "version-changed",
            request,
            Breaks::sent(moved),
            note,
        );
    }
    if old.auth != new.auth {
        let note = format!(
            "Calls authenticate as {:?}, were {:?}: the typed call moves to the other client.",
            new.auth, old.auth
        );
        pair.push(
            "/x-endpoint/auth",
            "auth-changed",
            request,
            Breaks::sent(true),
            note,
        );
    }
    if old.is_default != new.is_default {
        let note = format!(
            "`{}.{}` (without a version) {} names this version: the types it re-exports change.",
            new.vendor,
            new.operation,
            if new.is_default { "now" } else { "no longer" }
        );
        pair.push(
            "/x-endpoint/default",
            "default-version-changed",
            request,
            Breaks::api_only(),
            note,
        );
    }
    let old_member = old.batch.as_ref().map(|b| &b.member);
    let new_member = new.batch.as_ref().map(|b| &b.member);
    if old_member != new_member {
        let note = format!("The batch member is {new_member:?}, was {old_member:?}.");
        pair.push(
            "/x-endpoint/batch_items",
            "batch-member-changed",
            request,
            Breaks::wire(true),
            note,
        );
    }
    for (which, old_name, new_name) in [
        ("request", &old.request, &new.request),
        ("response", &old.response, &new.response),
    ] {
        let renamed = pair
            .renamed
            .get(old_name.as_str())
            .is_some_and(|n| *n == new_name.as_str());
        if old_name != new_name && !renamed {
            let note = format!("The {which} body is `{new_name}`, was `{old_name}`.");
            pair.push(
                &format!("/x-endpoint/{which}"),
                "body-changed",
                request,
                Breaks::wire(true),
                note,
            );
        }
    }
}

fn type_pair(pair: &mut Pair, old: &TypeDef, new: &TypeDef) {
    let direction = new.direction;
    let pointer = new.pointer.as_str();
    if old.direction != new.direction {
        direction_change(pair, old, new);
    }
    match (&old.kind, &new.kind) {
        (TypeKind::Struct(old_s), TypeKind::Struct(new_s)) => {
            struct_pair(pair, &new.name, old_s, new_s, direction, pointer)
        }
        (TypeKind::IntEnum(old_v), TypeKind::IntEnum(new_v)) => {
            let old_v: Vec<(String, String)> = old_v
                .iter()
                .map(|v| (v.code.to_string(), v.name.clone()))
                .collect();
            let new_v: Vec<(String, String)> = new_v
                .iter()
                .map(|v| (v.code.to_string(), v.name.clone()))
                .collect();
            enum_values(pair, &new.name, &old_v, &new_v, direction, pointer);
        }
        (TypeKind::StrEnum(old_v), TypeKind::StrEnum(new_v)) => {
            let old_v: Vec<(String, String)> = old_v
                .iter()
                .map(|v| (format!("\"{}\"", v.wire), v.name.clone()))
                .collect();
            let new_v: Vec<(String, String)> = new_v
                .iter()
                .map(|v| (format!("\"{}\"", v.wire), v.name.clone()))
                .collect();
            enum_values(pair, &new.name, &old_v, &new_v, direction, pointer);
        }
        (TypeKind::Newtype(old_shape), TypeKind::Newtype(new_shape)) => {
            let before = pair.out.len();
            shape_pair(pair, old_shape, new_shape, direction, pointer, false);
            minor_units_api(pair, before, (&new.name, pointer), old_shape, new_shape);
        }
        (TypeKind::Union(old_u), TypeKind::Union(new_u)) => {
            if old_u.tag != new_u.tag {
                let note = format!(
                    "Variants are told apart by `{}`, were by `{}`.",
                    new_u.tag, old_u.tag
                );
                pair.push(
                    pointer,
                    "union-tag-changed",
                    direction,
                    Breaks::wire(true),
                    note,
                );
            }
            let old_v: Vec<(String, String)> = old_u
                .variants
                .iter()
                .map(|v| (v.tag.shown(), v.name.clone()))
                .collect();
            let new_v: Vec<(String, String)> = new_u
                .variants
                .iter()
                .map(|v| (v.tag.shown(), v.name.clone()))
                .collect();
            enum_values(pair, &new.name, &old_v, &new_v, direction, pointer);
        }
        (TypeKind::Choice(old_c), TypeKind::Choice(new_c)) => {
            if old_c.exactly_one != new_c.exactly_one {
                let keyword = |exactly_one| if exactly_one { "oneOf" } else { "anyOf" };
                let note = format!(
                    "`{}` is `{}` of its options now, was `{}`.",
                    new.name,
                    keyword(new_c.exactly_one),
                    keyword(old_c.exactly_one)
                );
                pair.push(
                    pointer,
                    "union-rule-changed",
                    direction,
                    Breaks::wire(true),
                    note,
                );
            }
            let variants = |c: &crate::model::Choice| -> Vec<(String, String)> {
                c.variants
                    .iter()
                    .map(|v| (v.ty.name.clone(), v.name.clone()))
                    .collect()
            };
            enum_values(
                pair,
                &new.name,
                &variants(old_c),
                &variants(new_c),
                direction,
                pointer,
            );
            residual_pair(
                pair,
                &new.name,
                &old_c.residual,
                &new_c.residual,
                direction,
                pointer,
            );
        }
        (TypeKind::Either(old_e), TypeKind::Either(new_e)) => {
            let variants = |e: &crate::model::Either| -> Vec<(String, String)> {
                e.variants
                    .iter()
                    .map(|v| (v.name.to_ascii_lowercase(), v.name.clone()))
                    .collect()
            };
            enum_values(
                pair,
                &new.name,
                &variants(old_e),
                &variants(new_e),
                direction,
                pointer,
            );
            for new_v in &new_e.variants {
                if let Some(old_v) = old_e.variants.iter().find(|v| v.name == new_v.name) {
                    shape_pair(pair, &old_v.shape, &new_v.shape, direction, pointer, false);
                }
            }
            residual_pair(
                pair,
                &new.name,
                &old_e.residual,
                &new_e.residual,
                direction,
                pointer,
            );
        }
        _ => {
            let note = format!(
                "`{}` is another kind of type now (object, enum, union or scalar).",
                new.name
            );
            pair.push(pointer, "kind-changed", direction, Breaks::wire(true), note);
        }
    }
}

/// A decimal newtype's `x-decimalPlaces` is its minor unit: `from_minor_units`/`to_minor_units` (and
/// `from_cents`/`to_cents` at 2) count in it. Removing or changing it removes those methods or changes what
/// their integers mean, so the change recorded for it (from `before` on) breaks the api; adding it only adds
/// methods.
fn minor_units_api(
    pair: &mut Pair,
    before: usize,
    (name, pointer): (&str, &str),
    old: &Shape,
    new: &Shape,
) {
    let places = |shape: &Shape| {
        shape.checks.iter().find_map(|check| match check {
            Check::DecimalPlaces(places) => Some(*places),
            _ => None,
        })
    };
    let (Some(old_places), new_places) = (places(old), places(new)) else {
        return;
    };
    if new.ty != Ty::Number || new_places == Some(old_places) {
        return;
    }
    for change in &mut pair.out[before..] {
        let about_places = change.note.starts_with("x-decimalPlaces ")
            || change.note.starts_with("No x-decimalPlaces ");
        if about_places && change.pointer == pointer {
            change.api = Verdict::Breaking;
            change.note = format!(
                "{}; `{name}`'s minor units (`from_minor_units`, `to_minor_units`{}) change with it.",
                change.note.trim_end_matches('.'),
                if old_places == 2 { ", `from_cents`, `to_cents`" } else { "" }
            );
        }
    }
}

/// A type now also sent, or also received: a string enum that starts being received gains an `Unknown`
/// variant holding a `String` and is no longer `Copy`.
fn direction_change(pair: &mut Pair, old: &TypeDef, new: &TypeDef) {
    let loses_copy = matches!(new.kind, TypeKind::StrEnum(_))
        && !old.direction.tolerant()
        && new.direction.tolerant();
    let note = format!(
        "`{}` is {:?} now, was {:?}.",
        new.name, new.direction, old.direction
    );
    let breaks = if loses_copy {
        Breaks::api_only()
    } else {
        Breaks::none()
    };
    pair.push(
        &new.pointer,
        "direction-changed",
        new.direction,
        breaks,
        note,
    );
}

/// Values of an enum or variants of a union, by wire value: `(wire, Rust name)`.
fn enum_values(
    pair: &mut Pair,
    name: &str,
    old: &[(String, String)],
    new: &[(String, String)],
    direction: Direction,
    pointer: &str,
) {
    for (wire, rust) in new {
        match old.iter().find(|(w, _)| w == wire) {
            None => {
                let note = format!("`{name}` gains {wire} (`{rust}`); enums are non_exhaustive, so matches still compile.");
                pair.push(
                    pointer,
                    "enum-value-added",
                    direction,
                    Breaks::reverse_sent(),
                    note,
                );
            }
            Some((_, old_rust)) if old_rust != rust => {
                let note = format!("{wire} is `{name}::{rust}` now, was `{old_rust}`.");
                pair.push(
                    pointer,
                    "enum-variant-renamed",
                    direction,
                    Breaks::api_only(),
                    note,
                );
            }
            Some(_) => {}
        }
    }
    for (wire, rust) in old.iter().filter(|(w, _)| !new.iter().any(|(n, _)| n == w)) {
        let note = format!("`{name}` loses {wire} (`{rust}`): OLD's client may send it; code naming it no longer compiles.");
        pair.push(
            pointer,
            "enum-value-removed",
            direction,
            Breaks::sent(true),
            note,
        );
    }
}

/// A residual check (what the compiled schema checks) that appears or goes: more or fewer values pass.
fn residual_pair(
    pair: &mut Pair,
    name: &str,
    old: &Option<String>,
    new: &Option<String>,
    direction: Direction,
    pointer: &str,
) {
    match (old, new) {
        (None, Some(_)) => {
            let note = format!(
                "`{name}` is checked by its compiled schema now: values it refuses are not sent."
            );
            pair.push(
                pointer,
                "schema-check-added",
                direction,
                Breaks::wire(true),
                note,
            );
        }
        (Some(_), None) => {
            let note = format!("`{name}` is no longer checked by its compiled schema.");
            pair.push(
                pointer,
                "schema-check-removed",
                direction,
                Breaks::wire(false),
                note,
            );
        }
        _ => {}
    }
}

fn struct_pair(
    pair: &mut Pair,
    name: &str,
    old: &Struct,
    new: &Struct,
    direction: Direction,
    pointer: &str,
) {
    residual_pair(pair, name, &old.residual, &new.residual, direction, pointer);
    for new_field in &new.fields {
        match old.fields.iter().find(|f| f.name == new_field.name) {
            Some(old_field) => field_pair(pair, name, old_field, new_field, direction),
            None => member_added(pair, name, new_field, direction, &old.additional),
        }
    }
    for old_field in old
        .fields
        .iter()
        .filter(|f| !new.fields.iter().any(|n| n.name == f.name))
    {
        // OLD's client may send it; NEW's platform refuses it when its object refuses unknown members.
        let refused = new.additional == Additional::Refused;
        let breaks = Breaks {
            sent: refused,
            received: old_field.required,
            api: true,
            reverse_sent: old_field.required,
            ..Breaks::default()
        };
        let note = format!("`{name}` loses `{}`.", old_field.name);
        pair.push(
            &old_field.pointer,
            "member-removed",
            direction,
            breaks,
            note,
        );
    }
    additional_pair(
        pair,
        name,
        &old.additional,
        &new.additional,
        direction,
        pointer,
    );
    for rule in new.rules.iter().filter(|r| !old.rules.contains(r)) {
        let note = format!(
            "`{name}` gains a rule between its members: {}.",
            rule_name(rule)
        );
        pair.push(pointer, "rule-added", direction, Breaks::sent(false), note);
    }
    for rule in old.rules.iter().filter(|r| !new.rules.contains(r)) {
        let note = format!(
            "`{name}` loses a rule between its members: {}.",
            rule_name(rule)
        );
        pair.push(
            pointer,
            "rule-removed",
            direction,
            Breaks::reverse_sent(),
            note,
        );
    }
}

fn rule_name(rule: &crate::model::ObjectRule) -> &'static str {
    match rule {
        crate::model::ObjectRule::DependentRequired { .. } => "dependentRequired",
        crate::model::ObjectRule::Compare { .. } => "x-compare",
        crate::model::ObjectRule::Conditional(_) => "if/then/else",
        crate::model::ObjectRule::AnyOfRequired(_) => "anyOf of required",
        crate::model::ObjectRule::PropertyCount { .. } => "minProperties/maxProperties",
    }
}

fn member_added(
    pair: &mut Pair,
    name: &str,
    field: &Field,
    direction: Direction,
    old_additional: &Additional,
) {
    // A required member a `const` fills in needs no caller to set it.
    let must_set = field.required && field.fixed().is_none();
    let breaks = Breaks {
        sent: field.required,
        api: must_set && direction.validated(),
        reverse_sent: *old_additional == Additional::Refused,
        reverse_received: field.required,
        ..Breaks::default()
    };
    let what = if field.required {
        "required"
    } else {
        "optional"
    };
    let note = format!("`{name}` gains the {what} member `{}`.", field.name);
    pair.push(&field.pointer, "member-added", direction, breaks, note);
}

fn additional_pair(
    pair: &mut Pair,
    name: &str,
    old: &Additional,
    new: &Additional,
    direction: Direction,
    pointer: &str,
) {
    let refused = |a: &Additional| *a == Additional::Refused;
    match (refused(old), refused(new)) {
        (true, false) => {
            let note = format!("`{name}` now allows members it does not name.");
            pair.push(
                pointer,
                "additional-allowed",
                direction,
                Breaks::reverse_sent(),
                note,
            );
        }
        (false, true) => {
            let note =
                format!("`{name}` now refuses members it does not name (its `extra` is gone).");
            pair.push(
                pointer,
                "additional-refused",
                direction,
                Breaks::sent(direction == Direction::Request),
                note,
            );
        }
        _ => {
            if let (Additional::Typed(old), Additional::Typed(new)) = (old, new) {
                shape_pair(
                    pair,
                    old,
                    new,
                    direction,
                    &format!("{pointer}/additionalProperties"),
                    false,
                );
            }
        }
    }
}

/// The Rust form of a member: `T`, `Option<T>` or `Nullable<T>`.
fn form(field: &Field, direction: Direction) -> &'static str {
    match (field.required, field.shape.nullable) {
        (true, false) => "T",
        (true, true) => "Option",
        (false, true) if direction.validated() => "Nullable",
        (false, _) => "Option",
    }
}

fn field_pair(pair: &mut Pair, name: &str, old: &Field, new: &Field, direction: Direction) {
    let pointer = new.pointer.as_str();
    let api = form(old, direction) != form(new, direction);
    if old.required != new.required {
        let (change, breaks, note) = if new.required {
            (
                "optional-to-required",
                Breaks {
                    reverse_received: true,
                    ..Breaks::sent(api)
                },
                format!(
                    "`{name}.{}` is required now: OLD's client may leave it out.",
                    new.name
                ),
            )
        } else {
            (
                "required-to-optional",
                Breaks {
                    reverse_sent: true,
                    ..Breaks::received(api)
                },
                format!(
                    "`{name}.{}` is optional now: OLD's client expects it in what it reads.",
                    new.name
                ),
            )
        };
        pair.push(pointer, change, direction, breaks, note);
    } else if old.shape.nullable != new.shape.nullable {
        // OLD's client reads a required member as a value, never null; it may send null where NEW refuses it.
        let (change, breaks, note) = if new.shape.nullable {
            let breaks = Breaks {
                received: new.required,
                api,
                reverse_sent: true,
                ..Breaks::default()
            };
            (
                "now-nullable",
                breaks,
                format!("`{name}.{}` may be null now.", new.name),
            )
        } else {
            let breaks = Breaks {
                sent: true,
                api,
                ..Breaks::default()
            };
            (
                "no-longer-nullable",
                breaks,
                format!("`{name}.{}` may no longer be null.", new.name),
            )
        };
        pair.push(pointer, change, direction, breaks, note);
    }
    let batch = pair
        .batch
        .as_ref()
        .is_some_and(|(request, member)| request == name && *member == new.name);
    shape_pair(pair, &old.shape, &new.shape, direction, pointer, batch);
}

fn shape_pair(
    pair: &mut Pair,
    old: &Shape,
    new: &Shape,
    direction: Direction,
    pointer: &str,
    batch: bool,
) {
    let same_type = match (&old.ty, &new.ty) {
        // `x-minorUnits` only words the error of a fraction differently: nothing to report.
        (Ty::Integer { lenient: a, .. }, Ty::Integer { lenient: b, .. }) => {
            if a != b {
                let note = if *b {
                    "Digit strings are read as integers now."
                } else {
                    "Digit strings are no longer read as integers (numbers are always sent)."
                };
                pair.push(
                    pointer,
                    "lenient-changed",
                    direction,
                    Breaks::none(),
                    note.to_owned(),
                );
            }
            true
        }
        (Ty::Array(old_items), Ty::Array(new_items)) => {
            shape_pair(
                pair,
                old_items,
                new_items,
                direction,
                &format!("{pointer}/items"),
                false,
            );
            true
        }
        (Ty::Map(old_map), Ty::Map(new_map)) => {
            shape_pair(
                pair,
                &old_map.values,
                &new_map.values,
                direction,
                &format!("{pointer}/additionalProperties"),
                false,
            );
            checks_pair(
                pair,
                &old_map.keys,
                &new_map.keys,
                direction,
                &format!("{pointer}/propertyNames"),
                false,
            );
            true
        }
        (Ty::Named(a), Ty::Named(b)) => {
            a.name == b.name
                || pair
                    .renamed
                    .get(a.name.as_str())
                    .is_some_and(|n| *n == b.name)
        }
        (a, b) => a == b,
    };
    if !same_type {
        let note = format!(
            "The type is {}, was {}.",
            type_name(&new.ty),
            type_name(&old.ty)
        );
        pair.push(pointer, "type-changed", direction, Breaks::wire(true), note);
        return;
    }
    checks_pair(pair, &old.checks, &new.checks, direction, pointer, batch);
}

fn type_name(ty: &Ty) -> String {
    match ty {
        Ty::String => "string".into(),
        Ty::Integer { lenient: false, .. } => "integer".into(),
        Ty::Integer { lenient: true, .. } => "integer or digit string".into(),
        Ty::Number => "number".into(),
        Ty::Boolean => "boolean".into(),
        Ty::Any => "any value".into(),
        Ty::Named(named) => format!("`{}`", named.name),
        Ty::Array(items) => format!("an array of {}", type_name(&items.ty)),
        Ty::Map(map) => format!("a map of {}", type_name(&map.values.ty)),
    }
}

/// How a check's new value compares with its old one.
enum Move {
    Tightened,
    Loosened,
    Changed,
}

fn checks_pair(
    pair: &mut Pair,
    old: &[Check],
    new: &[Check],
    direction: Direction,
    pointer: &str,
    batch: bool,
) {
    let keywords: Vec<&'static str> = old.iter().chain(new).map(Check::keyword).collect();
    let mut seen = Vec::new();
    for keyword in keywords {
        if seen.contains(&keyword) {
            continue;
        }
        seen.push(keyword);
        let find = |checks: &[Check]| checks.iter().find(|c| c.keyword() == keyword).cloned();
        let (change, note) = match (find(old), find(new)) {
            (Some(a), Some(b)) if a == b => continue,
            (Some(a), Some(b)) => match compare_check(&a, &b) {
                Move::Tightened => (
                    "limit-tightened",
                    format!("{keyword} is {}, was {}.", show(&b), show(&a)),
                ),
                Move::Loosened => (
                    "limit-loosened",
                    format!("{keyword} is {}, was {}.", show(&b), show(&a)),
                ),
                Move::Changed if keyword == "pattern" => (
                    "pattern-changed",
                    format!("pattern is {}, was {}.", show(&b), show(&a)),
                ),
                Move::Changed => (
                    "limit-changed",
                    format!("{keyword} is {}, was {}.", show(&b), show(&a)),
                ),
            },
            (None, Some(b)) => ("limit-added", format!("New {keyword}: {}.", show(&b))),
            (Some(a), None) => (
                "limit-removed",
                format!("No {keyword} any more (was {}).", show(&a)),
            ),
            (None, None) => continue,
        };
        let tighter = matches!(
            change,
            "limit-tightened" | "limit-changed" | "pattern-changed" | "limit-added"
        );
        let change = match (batch, change) {
            (true, "limit-tightened") if keyword == "maxItems" => "batch-limit-tightened",
            (true, "limit-loosened") if keyword == "maxItems" => "batch-limit-loosened",
            (_, change) => change,
        };
        let note = if direction.validated() && tighter {
            format!(
                "{}; OLD's client may send what NEW's platform refuses.",
                note.trim_end_matches('.')
            )
        } else {
            note
        };
        pair.push(
            pointer,
            change,
            direction,
            Breaks {
                sent: tighter,
                reverse_sent: !tighter,
                ..Breaks::default()
            },
            note,
        );
    }
}

fn compare_check(old: &Check, new: &Check) -> Move {
    use std::cmp::Ordering::{Greater, Less};
    let by =
        |ordering: std::cmp::Ordering, larger_is_tighter: bool| match (ordering, larger_is_tighter)
        {
            (Greater, true) | (Less, false) => Move::Tightened,
            _ => Move::Loosened,
        };
    match (old, new) {
        (Check::MinLength(a), Check::MinLength(b))
        | (Check::MinBytes(a), Check::MinBytes(b))
        | (Check::MinItems(a), Check::MinItems(b))
        | (Check::MinProperties(a), Check::MinProperties(b)) => by(b.cmp(a), true),
        (Check::MaxLength(a), Check::MaxLength(b))
        | (Check::MaxBytes(a), Check::MaxBytes(b))
        | (Check::MaxItems(a), Check::MaxItems(b))
        | (Check::MaxProperties(a), Check::MaxProperties(b)) => by(b.cmp(a), false),
        (Check::DecimalPlaces(a), Check::DecimalPlaces(b)) => by(b.cmp(a), false),
        (Check::Minimum(a), Check::Minimum(b))
        | (Check::ExclusiveMinimum(a), Check::ExclusiveMinimum(b)) => {
            by(compare_bounds(b, a), true)
        }
        (Check::Maximum(a), Check::Maximum(b))
        | (Check::ExclusiveMaximum(a), Check::ExclusiveMaximum(b)) => {
            by(compare_bounds(b, a), false)
        }
        (Check::Enum(a), Check::Enum(b)) => {
            if a.iter().all(|value| b.contains(value)) {
                Move::Loosened
            } else {
                Move::Tightened
            }
        }
        _ => Move::Changed,
    }
}

/// Two bounds compared exactly, at their common scale (a float would call `i64::MAX` and `i64::MAX - 1`
/// equal); past what an `i128` holds, as floats.
fn compare_bounds(a: &Bound, b: &Bound) -> std::cmp::Ordering {
    let parts = |bound: &Bound| match bound {
        Bound::Integer(value) => (*value as i128, 0),
        Bound::Decimal { mantissa, scale } => (*mantissa as i128, *scale),
    };
    let ((a_mantissa, a_scale), (b_mantissa, b_scale)) = (parts(a), parts(b));
    let scale = a_scale.max(b_scale);
    let widen = |mantissa: i128, from: u32| {
        10i128
            .checked_pow(scale - from)
            .and_then(|factor| mantissa.checked_mul(factor))
    };
    match (widen(a_mantissa, a_scale), widen(b_mantissa, b_scale)) {
        (Some(a), Some(b)) => a.cmp(&b),
        _ => {
            let float = |mantissa: i128, scale: u32| mantissa as f64 / 10f64.powi(scale as i32);
            float(a_mantissa, a_scale).total_cmp(&float(b_mantissa, b_scale))
        }
    }
}

/// A check's value in a note: a pattern in backticks, a format by name, constants as `shown`.
fn show(check: &Check) -> String {
    match check {
        Check::Pattern { source, .. } => format!("`{source}`"),
        Check::Format(format) => format.clone(),
        Check::Const(literal) => literal.shown(),
        Check::Enum(literals) => literals
            .iter()
            .map(Literal::shown)
            .collect::<Vec<_>>()
            .join(", "),
        _ => crate::written::check(check).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering::{Equal, Greater, Less};

    /// `(change, api)` for a one-file schema whose `Price` newtype is `price` in OLD and `edited` in NEW.
    fn newtype_changes(
        price: serde_json::Value,
        edited: serde_json::Value,
    ) -> Vec<(String, String)> {
        let schema = |price: &serde_json::Value| {
            let text = serde_json::json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$defs": {
                    "Order": {"type": "object", "properties": {"price": {"$ref": "#/$defs/Price"}}},
                    "Price": price
                }
            })
            .to_string();
            let loaded = crate::load::parse("acme/shared.json", &text);
            crate::lower::lower_all(&[loaded]).unwrap()
        };
        modules(&schema(&price), &schema(&edited))
            .into_iter()
            .map(|c| (c.change.to_owned(), c.api.as_str().to_owned()))
            .collect()
    }

    #[test]
    fn a_newtypes_minor_unit_is_part_of_its_api() {
        let money = |extra: serde_json::Value| {
            let mut schema = serde_json::json!({"type": "number", "minimum": 0});
            schema
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            schema
        };
        let cents = money(serde_json::json!({"x-decimalPlaces": 2}));
        let pair = |change: &str, api: &str| vec![(change.to_owned(), api.to_owned())];
        // Constructors are checked whatever the constraints: a limit moved, added or removed breaks no caller.
        assert_eq!(
            newtype_changes(money(serde_json::json!({})), cents.clone()),
            pair("limit-added", "compatible")
        );
        assert_eq!(
            newtype_changes(
                cents.clone(),
                money(serde_json::json!({"x-decimalPlaces": 3}))
            ),
            pair("limit-loosened", "breaking"),
            "from_cents is gone and from_minor_units counts thousandths"
        );
        assert_eq!(
            newtype_changes(cents.clone(), money(serde_json::json!({}))),
            pair("limit-removed", "breaking")
        );
        assert_eq!(
            newtype_changes(
                cents.clone(),
                money(serde_json::json!({"x-decimalPlaces": 2, "maximum": 100}))
            ),
            pair("limit-added", "compatible")
        );
    }

    #[test]
    fn bounds_compare_exactly_across_scales() {
        let decimal = |mantissa, scale| Bound::Decimal { mantissa, scale };
        assert_eq!(compare_bounds(&decimal(55, 2), &decimal(5, 1)), Greater);
        assert_eq!(compare_bounds(&Bound::Integer(1), &decimal(100, 2)), Equal);
        assert_eq!(
            compare_bounds(&Bound::Integer(i64::MAX - 1), &Bound::Integer(i64::MAX)),
            Less
        );
        assert_eq!(compare_bounds(&decimal(1, 30), &decimal(2, 40)), Greater);
    }
}
