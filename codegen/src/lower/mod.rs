//! Step 2: a parsed [`Document`] -> the intermediate [`Module`]. Every problem is collected, with the file
//! and JSON pointer, so a schema author sees them all in one run.

mod keywords;
mod object;
mod shape;

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{join, Diagnostic};
use crate::model::{
    AuthStyle, Batch, Credential, Direction, Endpoint, Module, Shape, Ty, TypeDef, TypeKind,
};
use crate::schema::{Document, Node, Ref, TypeKeyword};

const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Collects diagnostics for one file.
pub(crate) struct Ctx<'a> {
    file: &'a str,
    /// The document's definitions, for rules that look into another definition.
    defs: &'a indexmap::IndexMap<String, Node>,
    problems: Vec<Diagnostic>,
    /// What each definition is, known before any is lowered (for references).
    kinds: BTreeMap<String, DefKind>,
}

/// The broad kind of a definition, decided from its keywords alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DefKind {
    Struct,
    IntEnum,
    Newtype,
}

impl<'a> Ctx<'a> {
    pub(crate) fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.problems.push(Diagnostic {
            file: self.file.to_owned(),
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    /// The schema of a definition.
    pub(crate) fn def(&self, name: &str) -> Option<&'a Node> {
        self.defs.get(name)
    }

    /// The definition a `#/$defs/Name` reference names, if it exists.
    pub(crate) fn resolve(&mut self, target: &str, pointer: &str) -> Option<(String, DefKind)> {
        let Some(name) = target.strip_prefix("#/$defs/") else {
            self.error(
                pointer,
                format!("`$ref` must be `#/$defs/<Name>`, found `{target}`"),
            );
            return None;
        };
        match self.kinds.get(name) {
            Some(kind) => Some((name.to_owned(), *kind)),
            None => {
                self.error(
                    pointer,
                    format!("`$ref` names `{name}`, which is not in `$defs`"),
                );
                None
            }
        }
    }
}

/// Lowers one document; `file` is its path relative to the schema directory.
pub fn lower(file: &str, document: &Document) -> Result<Module, Vec<Diagnostic>> {
    let mut ctx = Ctx {
        file,
        defs: &document.defs,
        problems: Vec::new(),
        kinds: BTreeMap::new(),
    };
    if document.dialect != DIALECT {
        ctx.error("/$schema", format!("`$schema` must be `{DIALECT}`"));
    }
    for (name, node) in &document.defs {
        let pointer = join("/$defs", name);
        if let Some(kind) = def_kind(&mut ctx, node, &pointer) {
            ctx.kinds.insert(name.clone(), kind);
        }
    }
    let endpoint = lower_endpoint(&mut ctx, document);
    let directions = directions(&mut ctx, document);
    let mut types = Vec::new();
    for (name, node) in &document.defs {
        let pointer = join("/$defs", name);
        check_type_name(&mut ctx, name, &pointer);
        let (Some(kind), Some(direction)) = (ctx.kinds.get(name).copied(), directions.get(name))
        else {
            continue;
        };
        if let Some(kind) = lower_def(&mut ctx, node, kind, *direction, &pointer) {
            types.push(TypeDef {
                name: name.clone(),
                doc: shape::doc_of(node),
                direction: *direction,
                kind,
            });
        }
    }
    let endpoint = endpoint
        .map(|endpoint| with_batch(&mut ctx, endpoint, &types))
        .map(|endpoint| with_credentials(&mut ctx, endpoint, &types));
    match (endpoint, ctx.problems.is_empty()) {
        (Some(endpoint), true) => Ok(Module {
            source: file.to_owned(),
            endpoint,
            types,
        }),
        _ => Err(ctx.problems),
    }
}

fn def_kind(ctx: &mut Ctx, node: &Node, pointer: &str) -> Option<DefKind> {
    let ty = match &node.ty {
        Some(TypeKeyword::One(ty)) => ty.as_str(),
        Some(TypeKeyword::Many(_)) => "lenient",
        None => "",
    };
    match (ty, node.one_of.is_some()) {
        ("object", _) => Some(DefKind::Struct),
        ("integer", true) => Some(DefKind::IntEnum),
        ("string" | "integer" | "number" | "boolean" | "lenient", false) => Some(DefKind::Newtype),
        _ => {
            ctx.error(
                pointer,
                "a definition must be an object, an integer enum (`oneOf` of `const`) or a scalar",
            );
            None
        }
    }
}

fn lower_def(
    ctx: &mut Ctx,
    node: &Node,
    kind: DefKind,
    direction: Direction,
    pointer: &str,
) -> Option<TypeKind> {
    match kind {
        DefKind::Struct => {
            object::lower_struct(ctx, node, direction, pointer).map(TypeKind::Struct)
        }
        DefKind::IntEnum => object::lower_enum(ctx, node, pointer).map(TypeKind::IntEnum),
        DefKind::Newtype => shape::lower_shape(ctx, node, pointer).map(TypeKind::Newtype),
    }
}

fn check_type_name(ctx: &mut Ctx, name: &str, pointer: &str) {
    let mut chars = name.chars();
    let pascal = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric());
    if !pascal {
        ctx.error(
            pointer,
            format!("definition names are Rust type names: `{name}` is not PascalCase"),
        );
    }
}

fn lower_endpoint(ctx: &mut Ctx, document: &Document) -> Option<Endpoint> {
    let schema = &document.endpoint;
    for (value, member) in [(&schema.vendor, "vendor"), (&schema.operation, "operation")] {
        if !is_snake_case(value) {
            ctx.error(
                &join("/x-endpoint", member),
                format!("`{value}` must be snake_case"),
            );
        }
    }
    let auth = match schema.auth.as_str() {
        "shopline-bearer" => Some(AuthStyle::ShoplineBearer),
        "tencent-query-token" => Some(AuthStyle::TencentQueryToken),
        other => {
            ctx.error("/x-endpoint/auth", format!("unknown auth style `{other}`"));
            None
        }
    };
    if !schema.path.starts_with('/') {
        ctx.error("/x-endpoint/path", "the path must start with `/`");
    }
    let request = resolve_struct(ctx, &schema.request, "/x-endpoint/request");
    let response = resolve_struct(ctx, &schema.response, "/x-endpoint/response");
    let error_response = match &schema.error_response {
        Some(reference) => Some(resolve_struct(
            ctx,
            reference,
            "/x-endpoint/error_response",
        )?),
        None => None,
    };
    if document.root != schema.request.target {
        ctx.error(
            "/$ref",
            "the root `$ref` must name the request definition, so the document validates requests",
        );
    }
    Some(Endpoint {
        vendor: schema.vendor.clone(),
        operation: schema.operation.clone(),
        doc: schema.description.clone(),
        method: schema.method.clone(),
        path: schema.path.clone(),
        version: schema.version.clone(),
        auth: auth?,
        request: request?,
        response: response?,
        error_response,
        batch: schema.batch_items.clone().map(|member| Batch {
            member,
            item_type: String::new(),
            min_items: 0,
            max_items: 0,
        }),
        credentials: Vec::new(),
    })
}

fn resolve_struct(ctx: &mut Ctx, reference: &Ref, pointer: &str) -> Option<String> {
    let pointer = join(pointer, "$ref");
    match ctx.resolve(&reference.target, &pointer)? {
        (name, DefKind::Struct) => Some(name),
        (name, _) => {
            ctx.error(&pointer, format!("`{name}` must be an object definition"));
            None
        }
    }
}

/// Fills in the batch member's item type and limits from the request's lowered field.
fn with_batch(ctx: &mut Ctx, mut endpoint: Endpoint, types: &[TypeDef]) -> Endpoint {
    let Some(batch) = endpoint.batch.as_mut() else {
        return endpoint;
    };
    let field = types
        .iter()
        .find(|def| def.name == endpoint.request)
        .and_then(|def| match &def.kind {
            TypeKind::Struct(s) => s.fields.iter().find(|f| f.name == batch.member),
            _ => None,
        });
    let found = field.and_then(|field| match &field.shape.ty {
        Ty::Array(items) => match &items.ty {
            Ty::Named(item) if field.required => Some((item.name.clone(), &field.shape)),
            _ => None,
        },
        _ => None,
    });
    match found {
        Some((item_type, shape)) => {
            batch.item_type = item_type;
            (batch.min_items, batch.max_items) = item_limits(shape);
            if batch.max_items == 0 {
                ctx.error(
                    "/x-endpoint/batch_items",
                    "the batch member needs a `maxItems`: it is the batch limit",
                );
            }
        }
        None => ctx.error(
            "/x-endpoint/batch_items",
            format!(
                "`{}` must be a required array of a named type in the request",
                batch.member
            ),
        ),
    }
    endpoint
}

/// Lists the request's credential members. A credential deeper in the request is an error: the clients
/// scrub the request's own members from errors and logs, and would miss it.
fn with_credentials(ctx: &mut Ctx, mut endpoint: Endpoint, types: &[TypeDef]) -> Endpoint {
    for def in types {
        let TypeKind::Struct(s) = &def.kind else {
            continue;
        };
        for field in s.fields.iter().filter(|f| f.sensitive) {
            if def.name == endpoint.request {
                endpoint.credentials.push(Credential {
                    member: field.name.clone(),
                    required: field.required,
                });
            } else {
                let pointer = join(&join(&join("/$defs", &def.name), "properties"), &field.name);
                ctx.error(
                    &join(&pointer, "x-sensitive"),
                    format!(
                        "`x-sensitive` is for members of the request object (`{}`): the clients scrub those \
                         from errors and logs",
                        endpoint.request
                    ),
                );
            }
        }
    }
    endpoint
}

fn item_limits(shape: &Shape) -> (u64, u64) {
    use crate::model::Check;
    let mut limits = (0, 0);
    for check in &shape.checks {
        match check {
            Check::MinItems(min) => limits.0 = *min,
            Check::MaxItems(max) => limits.1 = *max,
            _ => {}
        }
    }
    limits
}

/// Which definitions are sent and which are received, from what the endpoint's bodies reach. Read from the
/// document rather than the lowered endpoint, so one bad reference does not hide the other problems.
fn directions(ctx: &mut Ctx, document: &Document) -> BTreeMap<String, Direction> {
    let endpoint = &document.endpoint;
    let name = |reference: &Ref| reference.target.trim_start_matches("#/$defs/").to_owned();
    let sent = reachable(document, [name(&endpoint.request)]);
    let received = reachable(
        document,
        std::iter::once(name(&endpoint.response)).chain(endpoint.error_response.as_ref().map(name)),
    );
    let mut directions = BTreeMap::new();
    for name in document.defs.keys() {
        let pointer = join("/$defs", name);
        match (sent.contains(name.as_str()), received.contains(name.as_str())) {
            (true, true) => ctx.error(&pointer, "used by both request and response: requests are strict and responses tolerant, so give each its own definition"),
            (true, false) => _ = directions.insert(name.clone(), Direction::Request),
            (false, true) => _ = directions.insert(name.clone(), Direction::Response),
            (false, false) => ctx.error(&pointer, "not used by the request or the response"),
        }
    }
    directions
}

fn reachable(document: &Document, roots: impl IntoIterator<Item = String>) -> BTreeSet<&str> {
    let roots: Vec<String> = roots.into_iter().collect();
    let mut seen = BTreeSet::new();
    let mut pending: Vec<&str> = roots
        .iter()
        .filter_map(|root| {
            document
                .defs
                .get_key_value(root.as_str())
                .map(|(key, _)| key.as_str())
        })
        .collect();
    while let Some(name) = pending.pop() {
        let Some((key, node)) = document.defs.get_key_value(name) else {
            continue;
        };
        if seen.insert(key.as_str()) {
            shape::references(node, &mut pending);
        }
    }
    seen
}

pub(crate) fn is_snake_case(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
