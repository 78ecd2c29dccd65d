//! Versions side by side: when two schema files describe the same `vendor.operation` at different
//! `x-endpoint.version`s, each becomes a module inside the operation's (`shopline::batch_sync_flow_data::
//! v20260301`), and the operation's module re-exports the default one: the file that says `"default": true`,
//! or else the newest version.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::diagnostic::Diagnostic;
use crate::model::Module;

/// Marks each endpoint module's version module and whether it is its operation's default.
pub(crate) fn arrange(modules: &mut [Module], problems: &mut Vec<Diagnostic>) {
    let mut operations: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (index, module) in modules.iter().enumerate() {
        if module.endpoint.is_some() {
            operations
                .entry((module.vendor.clone(), module.name.clone()))
                .or_default()
                .push(index);
        }
    }
    for versions in operations.values().filter(|versions| versions.len() > 1) {
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for &index in versions {
            let name = module_name(&version_of(&modules[index]));
            if let Some(other) = seen.insert(name.clone(), &modules[index].source) {
                problems.push(Diagnostic {
                    file: modules[index].source.clone(),
                    pointer: "/x-endpoint/version".into(),
                    message: format!(
                        "{other} describes the same operation at the same version (`{name}`)"
                    ),
                });
            }
        }
        let marked: Vec<usize> = versions
            .iter()
            .copied()
            .filter(|&index| {
                modules[index]
                    .endpoint
                    .as_ref()
                    .is_some_and(|e| e.marked_default)
            })
            .collect();
        if marked.len() > 1 {
            for &index in &marked[1..] {
                problems.push(Diagnostic {
                    file: modules[index].source.clone(),
                    pointer: "/x-endpoint/default".into(),
                    message: "another version of this operation is marked the default already"
                        .into(),
                });
            }
        }
        let default = marked.first().copied().unwrap_or_else(|| {
            *versions
                .iter()
                .max_by(|a, b| {
                    compare_versions(&version_of(&modules[**a]), &version_of(&modules[**b]))
                })
                .expect("two versions or more")
        });
        for &index in versions {
            let module = &mut modules[index];
            module.version_module = Some(module_name(&version_of(module)));
            if let Some(endpoint) = module.endpoint.as_mut() {
                endpoint.is_default = index == default;
            }
        }
    }
}

fn version_of(module: &Module) -> String {
    module
        .endpoint
        .as_ref()
        .map(|e| e.version.clone())
        .unwrap_or_default()
}

/// A version as a Rust module name: `v20260301` as it is, `v1.3` as `v1_3`, `2024-01` as `v2024_01`.
pub(crate) fn module_name(version: &str) -> String {
    let mut name: String = version
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name.insert(0, 'v');
    }
    name
}

/// Versions in natural order: runs of digits compare as numbers (`v1.10` after `v1.9`, `v20260601` after
/// `v20260301`).
pub(crate) fn compare_versions(a: &str, b: &str) -> Ordering {
    let (a, b) = (runs(a), runs(b));
    for (x, y) in a.iter().zip(&b) {
        let order = match (x.parse::<u128>(), y.parse::<u128>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => x.cmp(y),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

fn runs(text: &str) -> Vec<String> {
    let mut runs: Vec<String> = Vec::new();
    for c in text.chars() {
        match runs.last_mut() {
            Some(run) if run.chars().all(|r| r.is_ascii_digit()) == c.is_ascii_digit() => {
                run.push(c)
            }
            _ => runs.push(c.to_string()),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_naturally_and_name_modules() {
        assert_eq!(
            compare_versions("v20260601", "v20260301"),
            Ordering::Greater
        );
        assert_eq!(compare_versions("v1.10", "v1.9"), Ordering::Greater);
        assert_eq!(compare_versions("v3.0", "v1.3"), Ordering::Greater);
        assert_eq!(module_name("v1.3"), "v1_3");
        assert_eq!(module_name("2024-01"), "v2024_01");
        assert_eq!(module_name("v20260301"), "v20260301");
    }
}
