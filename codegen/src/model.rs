//! Step 2's output: the small intermediate model of types, fields, constraints and endpoints that emission
//! reads. Nothing here knows about JSON or about tokens.

/// One schema file, ready to emit as one Rust module.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// The schema file, relative to the schema directory (for the do-not-edit header).
    pub source: String,
    pub endpoint: Endpoint,
    /// Named types in schema order.
    pub types: Vec<TypeDef>,
}

/// A call, as `x-endpoint` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub vendor: String,
    pub operation: String,
    pub doc: Option<String>,
    pub method: String,
    pub path: String,
    pub version: String,
    pub auth: AuthStyle,
    pub request: String,
    pub response: String,
    pub error_response: Option<String>,
    pub batch: Option<Batch>,
    /// The request's credential members (`x-sensitive`), which the clients scrub from what they report.
    pub credentials: Vec<Credential>,
}

/// A credential member of the request object.
#[derive(Debug, Clone, PartialEq)]
pub struct Credential {
    pub member: String,
    pub required: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthStyle {
    ShoplineBearer,
    TencentQueryToken,
}

/// The request member that carries the batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub member: String,
    pub item_type: String,
    pub min_items: u64,
    pub max_items: u64,
}

/// Whether a type is sent (strict, validated) or received (tolerant of what platforms add).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Request,
    Response,
}

/// A named type from `$defs`.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    pub name: String,
    pub doc: Option<String>,
    pub direction: Direction,
    pub kind: TypeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    Struct(Struct),
    IntEnum(Vec<Variant>),
    Newtype(Shape),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    pub fields: Vec<Field>,
    pub rules: Vec<ObjectRule>,
}

/// One integer code of an enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub name: String,
    pub code: i64,
    pub doc: Option<String>,
}

/// A member of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The JSON member name; also the Rust field name (raw identifier when it is a keyword).
    pub name: String,
    pub doc: Option<String>,
    pub required: bool,
    pub shape: Shape,
    pub aliases: Vec<String>,
    /// A credential (`x-sensitive`): never printed by `Debug`.
    pub sensitive: bool,
}

/// A value's type and the checks on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub ty: Ty,
    pub checks: Vec<Check>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    String,
    /// `i64`; `lenient` accepts a string of digits on input.
    Integer {
        lenient: bool,
    },
    /// An exact decimal.
    Number,
    Boolean,
    /// Any JSON value.
    Any,
    /// A type from `$defs`.
    Named(NamedRef),
    Array(Box<Shape>),
}

/// A reference to a named type, with what emission needs to know about its target.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedRef {
    pub name: String,
    /// Whether the target has checks of its own (a struct or a constrained newtype), so the field is validated.
    pub validated: bool,
    /// Whether the target is a plain-data `Copy` type (an enum).
    pub copy: bool,
    /// Whether the target is an object (a struct), whose members the shape pass checks.
    pub object: bool,
}

/// A constraint on one value.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    MinLength(u64),
    MinBytes(u64),
    MaxBytes(u64),
    Pattern(String),
    Minimum(Bound),
    Maximum(Bound),
    DecimalPlaces(u32),
    MinItems(u64),
    MaxItems(u64),
}

/// A numeric bound, typed like the value it bounds.
#[derive(Debug, Clone, PartialEq)]
pub enum Bound {
    Integer(i64),
    /// `mantissa * 10^-scale`.
    Decimal {
        mantissa: i64,
        scale: u32,
    },
}

/// A rule between members of one object.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectRule {
    /// `dependentRequired`: when `when` is present, each of `then` must be too.
    DependentRequired { when: String, then: Vec<String> },
    /// `x-compare`, checked when both members are present.
    Compare {
        left: String,
        op: CompareOp,
        right: String,
    },
    /// Restricted `if`/`then`: when `member` equals `value`, these members are required.
    Conditional {
        member: String,
        value: ConstValue,
        then: Vec<MemberPath>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Less,
    LessOrEqual,
    Equal,
    GreaterOrEqual,
    Greater,
}

/// The value an `if` tests for.
#[derive(Debug, Clone, PartialEq)]
pub enum ConstValue {
    Integer(i64),
    EnumVariant {
        enum_name: String,
        variant: String,
        code: i64,
    },
}

/// A member required by `then`: `parent` is `None` for the same object, or an optional/required member one
/// level down.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberPath {
    pub parent: Option<ParentMember>,
    pub member: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParentMember {
    pub name: String,
    pub required: bool,
}
