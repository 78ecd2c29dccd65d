//! `x-endpoint` -> [`Endpoint`]: the call, its bodies, its batch member and its credentials.

use std::collections::BTreeMap;

use super::ctx::Ctx;
use super::kind::Kind;
use super::names::is_snake_case;
use crate::diagnostic::{join, Diagnostic};
use crate::model::{
    AuthStyle, Batch, Check, Credential, Direction, Endpoint, Module, Shape, Ty, TypeDef, TypeKind,
};
use crate::schema::EndpointSchema;

pub(crate) fn lower_endpoint(
    ctx: &mut Ctx,
    schema: &EndpointSchema,
    root: Option<&str>,
) -> Option<Endpoint> {
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
    let request = body(ctx, &schema.request, "/x-endpoint/request");
    let response = body(ctx, &schema.response, "/x-endpoint/response");
    let error_response = match &schema.error_response {
        Some(reference) => Some(body(ctx, reference, "/x-endpoint/error_response")?),
        None => None,
    };
    if root != Some(schema.request.as_str()) {
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
            rust: String::new(),
            item_type: String::new(),
            min_items: 0,
            max_items: 0,
        }),
        credentials: Vec::new(),
        is_default: true,
        marked_default: schema.default == Some(true),
    })
}

/// A body: an object definition, of this file or (a shared envelope) of another file of the vendor.
fn body(ctx: &mut Ctx, target: &str, pointer: &str) -> Option<String> {
    let pointer = join(pointer, "$ref");
    let def = ctx.resolve_reporting(target, &pointer)?;
    if def.kind != Kind::Struct {
        ctx.error(
            &pointer,
            format!("`{}` must be an object definition", def.name),
        );
        return None;
    }
    Some(ctx.named(def).name)
}

/// Fills in the batch member's item type and limits from the request's lowered field.
pub(crate) fn with_batch(ctx: &mut Ctx, mut endpoint: Endpoint, types: &[TypeDef]) -> Endpoint {
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
            Ty::Named(item) if field.required && !field.shape.nullable && !items.nullable => {
                Some((item.name.clone(), field.rust.clone(), &field.shape))
            }
            _ => None,
        },
        _ => None,
    });
    match found {
        Some((item_type, rust, shape)) => {
            batch.item_type = item_type;
            batch.rust = rust;
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
pub(crate) fn with_credentials(
    ctx: &mut Ctx,
    mut endpoint: Endpoint,
    types: &[TypeDef],
) -> Endpoint {
    for def in types {
        let TypeKind::Struct(s) = &def.kind else {
            continue;
        };
        for field in s.fields.iter().filter(|f| f.sensitive) {
            let pointer = join(&join(&join("/$defs", &def.name), "properties"), &field.name);
            let is_string = field.shape.ty == Ty::String && !field.shape.nullable;
            if def.name == endpoint.request && def.direction == Direction::Request && is_string {
                endpoint.credentials.push(Credential {
                    member: field.name.clone(),
                    rust: field.rust.clone(),
                    required: field.required,
                });
            } else {
                ctx.error(
                    &join(&pointer, "x-sensitive"),
                    format!(
                        "`x-sensitive` is for string members of the request object (`{}`): the clients scrub those \
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

/// One module per `vendor.operation`, shared-definition files included, and no type named like a marker.
pub(crate) fn check_unique_names(modules: &[Module], problems: &mut Vec<Diagnostic>) {
    let mut seen: BTreeMap<(&str, &str, Option<&str>), &str> = BTreeMap::new();
    for module in modules {
        let name = (
            module.vendor.as_str(),
            module.name.as_str(),
            module.version_module.as_deref(),
        );
        if let Some(other) = seen.insert(name, &module.source) {
            problems.push(Diagnostic {
                file: module.source.clone(),
                pointer: if module.endpoint.is_some() { "/x-endpoint/operation".into() } else { String::new() },
                message: format!("`{}.{}` is also the module of {other}: each schema file is one module of its vendor", name.0, name.1),
            });
        }
        if let Some(endpoint) = &module.endpoint {
            let marker = crate::model::marker_name(&endpoint.operation);
            if let Some(def) = module.types.iter().find(|def| def.name == marker) {
                problems.push(Diagnostic {
                    file: module.source.clone(),
                    pointer: join("/$defs", &def.name),
                    message: format!("`{marker}` names the endpoint's marker type: give the definition another name"),
                });
            }
        }
    }
}
