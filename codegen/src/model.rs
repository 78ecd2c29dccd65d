//! Step 2's output: the small intermediate model of types, fields, constraints and endpoints that emission
//! reads. Nothing here knows about JSON or about tokens.

/// One schema file, ready to emit as one Rust module.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    /// The schema file, relative to the schema directory (for the do-not-edit header).
    pub source: String,
    pub vendor: String,
    /// The Rust module name: the operation of an endpoint file, the file's stem for a file of shared types.
    pub name: String,
    /// When the operation has several versions side by side: this one's module inside the operation's
    /// (`v20260301`, `v1_3`).
    pub version_module: Option<String>,
    /// The call, for an endpoint file; `None` for a file of shared definitions.
    pub endpoint: Option<Endpoint>,
    /// Named types in schema order (inline types right after the type that holds them).
    pub types: Vec<TypeDef>,
    /// Types of other modules of the same vendor that this module's types use: `(module, type)`.
    pub imports: Vec<(String, String)>,
    /// The schema file itself, embedded for the checks the compiled schema makes (`Check::Schema`), when the
    /// module has some or another module's reach this one.
    pub document: Option<Embedded>,
}

impl Module {
    /// Whether any of its types has a check the compiled schema makes.
    pub fn has_schema_checks(&self) -> bool {
        self.types.iter().any(|def| def.kind.has_schema_checks())
    }
}

impl TypeKind {
    fn has_schema_checks(&self) -> bool {
        match self {
            TypeKind::Struct(s) => {
                s.residual.is_some()
                    || s.fields.iter().any(|f| f.shape.has_schema_checks())
                    || matches!(&s.additional, Additional::Typed(values) if values.has_schema_checks())
            }
            TypeKind::Newtype(shape) => shape.has_schema_checks(),
            TypeKind::Choice(choice) => choice.residual.is_some(),
            TypeKind::Either(either) => {
                either.residual.is_some()
                    || either.variants.iter().any(|v| v.shape.has_schema_checks())
            }
            TypeKind::IntEnum(_) | TypeKind::StrEnum(_) | TypeKind::Union(_) => false,
        }
    }
}

/// A schema file as the runtime's compiled validator reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Embedded {
    /// The URI the file is known by: its `$id`, or one made from its path.
    pub uri: String,
    /// Other URIs it is known by.
    pub aliases: Vec<String>,
    /// The file's JSON, compact.
    pub json: String,
    /// The modules of the same vendor whose documents its references reach.
    pub uses: Vec<String>,
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
    /// Whether this is the version `vendor.operation` (without `@version`) names: the only one, the one marked
    /// `"default": true`, or else the newest.
    pub is_default: bool,
    /// Whether `x-endpoint` says `"default": true`.
    pub marked_default: bool,
}

/// A credential member of the request object.
#[derive(Debug, Clone, PartialEq)]
pub struct Credential {
    pub member: String,
    pub rust: String,
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
    pub rust: String,
    pub item_type: String,
    pub min_items: u64,
    pub max_items: u64,
}

/// Whether a type is sent (strict, validated), received (tolerant of what platforms add), or both (tolerant
/// when read, validated before it is sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Request,
    Response,
    Both,
}

impl Direction {
    /// Whether values are checked before sending (`impl Validate`).
    pub fn validated(self) -> bool {
        self != Direction::Response
    }

    /// Whether reading keeps what the schema did not foresee (unknown members and enum values).
    pub fn tolerant(self) -> bool {
        self != Direction::Request
    }
}

/// A named type: from `$defs`, or an inline object, enum or union named after where it sits.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    pub name: String,
    pub doc: Option<String>,
    pub direction: Direction,
    pub kind: TypeKind,
    /// Where its schema is in its file (for `codegen diff`).
    pub pointer: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    Struct(Struct),
    IntEnum(Vec<Variant>),
    StrEnum(Vec<StrVariant>),
    Newtype(Shape),
    Union(Union),
    /// `oneOf`/`anyOf` of typed schemas: the variant is the one the value passes.
    Choice(Choice),
    /// A value of one of several JSON types (`"type": ["string", "number"]`).
    Either(Either),
}

/// `oneOf` or `anyOf` of typed schemas, each a named type; a value is the variant it is valid as.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// `oneOf` (exactly one variant may accept a value) or `anyOf` (at least one).
    pub exactly_one: bool,
    pub variants: Vec<ChoiceVariant>,
    /// What the compiled schema checks besides (keywords beside the options).
    pub residual: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceVariant {
    /// The Rust variant name.
    pub name: String,
    /// The named type it holds.
    pub ty: NamedRef,
}

/// A value of one of several JSON types, one variant per type, each with the checks of its type.
#[derive(Debug, Clone, PartialEq)]
pub struct Either {
    pub variants: Vec<EitherVariant>,
    /// What the compiled schema checks besides.
    pub residual: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EitherVariant {
    /// The Rust variant name: the JSON type's (`String`, `Integer`, `Number`, `Boolean`, `Array`, `Object`).
    pub name: String,
    /// The value: `String`, `i64`, `Decimal`, `bool`, `Vec<serde_json::Value>`, a JSON object.
    pub shape: Shape,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    pub fields: Vec<Field>,
    pub rules: Vec<ObjectRule>,
    /// Members other than the named ones.
    pub additional: Additional,
    /// The pointer of the schema the compiled validator checks the whole object against, for what the
    /// fields and rules do not say (`patternProperties`, `unevaluatedProperties`, `not`, ...).
    pub residual: Option<String>,
}

/// What an object does with members it does not name.
#[derive(Debug, Clone, PartialEq)]
pub enum Additional {
    /// `"additionalProperties": false` on a request: an unknown member is an error.
    Refused,
    /// Kept as received (responses, and request objects that allow them): `extra`, any JSON.
    Kept,
    /// `additionalProperties` is a schema: `extra`, each value of this shape.
    Typed(Box<Shape>),
}

/// One integer code of an enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub name: String,
    pub code: i64,
    pub doc: Option<String>,
}

/// One string of an enum, with the Rust name it gets.
#[derive(Debug, Clone, PartialEq)]
pub struct StrVariant {
    pub name: String,
    pub wire: String,
    pub doc: Option<String>,
}

/// `oneOf` of objects told apart by a `const` member.
#[derive(Debug, Clone, PartialEq)]
pub struct Union {
    /// The member whose constant names the variant.
    pub tag: String,
    pub variants: Vec<UnionVariant>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    /// The Rust variant name (the struct's name).
    pub name: String,
    /// The struct type holding the variant's members (its tag member included).
    pub ty: String,
    pub tag: Literal,
}

/// A member of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The JSON member name.
    pub name: String,
    /// The Rust field name: the member name, or its snake_case form (`storeId` -> `store_id`).
    pub rust: String,
    pub doc: Option<String>,
    pub required: bool,
    pub shape: Shape,
    pub aliases: Vec<String>,
    /// A credential (`x-sensitive`): never printed by `Debug`.
    pub sensitive: bool,
    /// Where its schema is in its file (for `codegen diff`).
    pub pointer: String,
}

/// How a member's presence and `null` map to Rust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Required, never null: `T`.
    Always,
    /// Required, may be null: `Option<T>`, `None` sent as `null`.
    RequiredNullable,
    /// Optional: `Option<T>`, `None` left out (a `null` received reads as absent).
    Optional,
    /// Optional and nullable in a validated type: `Nullable<T>`, absent and `null` told apart.
    Nullable,
}

impl Field {
    /// How the member is held in a type of this direction.
    pub fn presence(&self, direction: Direction) -> Presence {
        match (self.required, self.shape.nullable) {
            (true, false) => Presence::Always,
            (true, true) => Presence::RequiredNullable,
            (false, true) if direction.validated() => Presence::Nullable,
            (false, _) => Presence::Optional,
        }
    }

    /// A required member whose only allowed value is a constant: constructors fill it in.
    pub fn fixed(&self) -> Option<&Literal> {
        if !self.required || self.shape.nullable {
            return None;
        }
        self.shape.checks.iter().find_map(|check| match check {
            Check::Const(literal) => Some(literal),
            _ => None,
        })
    }
}

/// A value's type and the checks on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub ty: Ty,
    pub checks: Vec<Check>,
    /// `"null"` is one of its types.
    pub nullable: bool,
    /// Held in a `Box`: the type contains itself through this value.
    pub boxed: bool,
}

impl Shape {
    pub fn new(ty: Ty, checks: Vec<Check>) -> Self {
        Shape {
            ty,
            checks,
            nullable: false,
            boxed: false,
        }
    }

    /// How the integers in a value of this shape (outside named types) are read, when it holds any:
    /// `(lenient, minor_units)`. Whole-number floats (`5.0`) are integers, as in JSON Schema; lenient integers
    /// also take a string of digits.
    pub fn integer_reading(&self) -> Option<(bool, bool)> {
        match &self.ty {
            Ty::Integer {
                lenient,
                minor_units,
            } => Some((*lenient, *minor_units)),
            Ty::Array(items) => items.integer_reading(),
            Ty::Map(map) => map.values.integer_reading(),
            _ => None,
        }
    }

    /// Whether a check of this shape (or of its items or values) is made by the compiled schema.
    pub fn has_schema_checks(&self) -> bool {
        self.checks
            .iter()
            .any(|check| matches!(check, Check::Schema(_)))
            || match &self.ty {
                Ty::Array(items) => items.has_schema_checks(),
                Ty::Map(map) => map.values.has_schema_checks(),
                _ => false,
            }
    }

    /// Whether a value of this shape has anything to check.
    pub fn has_checks(&self) -> bool {
        !self.checks.is_empty()
            || match &self.ty {
                Ty::Named(named) => named.validated,
                Ty::Array(items) => items.has_checks(),
                Ty::Map(map) => map.values.has_checks() || !map.keys.is_empty(),
                _ => false,
            }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    String,
    /// `i64`; `lenient` accepts a string of digits on input; `minor_units` (`x-minorUnits`) is an amount in
    /// minor units (cents), whose reader tells a value with a fraction so.
    Integer {
        lenient: bool,
        minor_units: bool,
    },
    /// An exact decimal.
    Number,
    Boolean,
    /// Any JSON value.
    Any,
    /// A named type.
    Named(NamedRef),
    Array(Box<Shape>),
    /// An object used as a map (`additionalProperties` as a schema): member name -> value, in input order.
    Map(Box<MapShape>),
}

/// A map's values and the checks on its member names (`propertyNames`).
#[derive(Debug, Clone, PartialEq)]
pub struct MapShape {
    pub values: Shape,
    pub keys: Vec<Check>,
}

/// A reference to a named type, with what emission needs to know about its target.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedRef {
    pub name: String,
    pub kind: NamedKind,
    /// Whether the target has checks of its own, so the value is validated.
    pub validated: bool,
    /// Whether the target is `Copy` (a closed enum, a newtype of a number or a boolean).
    pub copy: bool,
    /// Whether the target contains the type that holds this reference (directly or through others): its
    /// description in the shape pass is then reached through a function, not a constant.
    pub recursive: bool,
}

/// What a named type is, as far as the types that use it care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedKind {
    Struct,
    IntEnum,
    StrEnum,
    Newtype,
    Union,
    Choice,
    Either,
}

/// A constraint on one value.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    MinLength(u64),
    MaxLength(u64),
    MinBytes(u64),
    MaxBytes(u64),
    /// `source` as the schema writes it (ECMA-262), `rust` as the runtime compiles it.
    Pattern {
        source: String,
        rust: String,
    },
    /// A validated `format` (`date-time`, `date`, `uri`, `email`, ...), by its schema name.
    Format(String),
    Minimum(Bound),
    Maximum(Bound),
    ExclusiveMinimum(Bound),
    ExclusiveMaximum(Bound),
    MultipleOf(Bound),
    DecimalPlaces(u32),
    MinItems(u64),
    MaxItems(u64),
    UniqueItems,
    MinProperties(u64),
    MaxProperties(u64),
    Const(Literal),
    /// `enum` of scalars that are not a Rust enum (integers, numbers, booleans).
    Enum(Vec<Literal>),
    /// `uniqueItems` of items whose Rust equality is not JSON's (objects, numbers in several spellings):
    /// compared as JSON.
    UniqueJson,
    /// The value's JSON checked against the schema at this pointer of the module's document by the compiled
    /// validator: what the type and the other checks do not say.
    Schema(String),
}

impl Check {
    /// The schema keyword, which is also the rule name of a violation.
    pub fn keyword(&self) -> &'static str {
        match self {
            Check::MinLength(_) => "minLength",
            Check::MaxLength(_) => "maxLength",
            Check::MinBytes(_) => "x-minBytes",
            Check::MaxBytes(_) => "x-maxBytes",
            Check::Pattern { .. } => "pattern",
            Check::Format(_) => "format",
            Check::Minimum(_) => "minimum",
            Check::Maximum(_) => "maximum",
            Check::ExclusiveMinimum(_) => "exclusiveMinimum",
            Check::ExclusiveMaximum(_) => "exclusiveMaximum",
            Check::MultipleOf(_) => "multipleOf",
            Check::DecimalPlaces(_) => "x-decimalPlaces",
            Check::MinItems(_) => "minItems",
            Check::MaxItems(_) => "maxItems",
            Check::UniqueItems | Check::UniqueJson => "uniqueItems",
            Check::MinProperties(_) => "minProperties",
            Check::MaxProperties(_) => "maxProperties",
            Check::Const(_) => "const",
            Check::Enum(_) => "enum",
            Check::Schema(_) => "schema",
        }
    }
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

/// A constant in a schema (`const`, `enum`, an `if` test), typed like the value it is compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    String(String),
    Integer(i64),
    Boolean(bool),
    Decimal {
        mantissa: i64,
        scale: u32,
    },
    /// A value of a named enum: `ProductType::Sample`; `wire` is its JSON text (`3`, `"cps"`).
    Variant {
        enum_name: String,
        variant: String,
        wire: String,
    },
}

impl Literal {
    /// How the value reads in a message: `3`, `"cps"`, `3 (Sample)`.
    pub fn shown(&self) -> String {
        match self {
            Literal::String(text) => format!("\"{text}\""),
            Literal::Integer(value) => value.to_string(),
            Literal::Boolean(value) => value.to_string(),
            Literal::Decimal { mantissa, scale } => decimal_text(*mantissa, *scale),
            Literal::Variant { variant, wire, .. } => format!("{wire} ({variant})"),
        }
    }
}

/// The Rust name of an endpoint's marker type: the operation in PascalCase (`salesinfo_add` -> `SalesinfoAdd`).
pub fn marker_name(operation: &str) -> String {
    operation
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// `mantissa * 10^-scale` written out: `(889, 2)` is `8.89`.
pub fn decimal_text(mantissa: i64, scale: u32) -> String {
    let digits = mantissa.unsigned_abs().to_string();
    let sign = if mantissa < 0 { "-" } else { "" };
    let scale = scale as usize;
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    format!("{sign}{whole}.{fraction}")
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
    /// `if`/`then`/`else` on constant tests of members.
    Conditional(Conditional),
    /// `anyOf` of `required` lists: at least one group is complete.
    AnyOfRequired(Vec<Vec<String>>),
    /// `minProperties`/`maxProperties` of a struct: how many members are present.
    PropertyCount { min: Option<u64>, max: Option<u64> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Less,
    LessOrEqual,
    Equal,
    GreaterOrEqual,
    Greater,
}

/// `if` (every test holds) `then` ... `else` ....
#[derive(Debug, Clone, PartialEq)]
pub struct Conditional {
    pub when: Vec<Test>,
    pub then: Vec<Consequence>,
    pub otherwise: Vec<Consequence>,
}

/// One test of an `if`: the member equals one of `values`. When the `if` does not require the member, an
/// absent member passes the test, as JSON Schema says.
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    pub member: String,
    pub values: Vec<Literal>,
    pub required: bool,
}

/// What a `then` or `else` asks.
#[derive(Debug, Clone, PartialEq)]
pub enum Consequence {
    /// The member must be present.
    Require(MemberPath),
    /// The member must be absent (`"properties": {"m": false}`).
    Forbid(MemberPath),
    /// The member, when present, must pass these checks.
    Check(MemberPath, Vec<Check>),
}

/// A member of this object (`parent` is `None`) or of a member object one level down.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberPath {
    pub parent: Option<ParentMember>,
    pub member: String,
    pub rust: String,
    /// The member's shape, for `Check` consequences and for how presence is tested.
    pub shape: Shape,
    /// Whether the member is required in its own object (then `Require` holds already).
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParentMember {
    pub name: String,
    pub rust: String,
    pub required: bool,
    pub nullable: bool,
}
