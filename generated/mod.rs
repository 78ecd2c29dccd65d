pub mod shopline {}
pub mod tencent {}
pub static ENDPOINTS: &[&dyn crate::runtime::DynOperation] = &[];
