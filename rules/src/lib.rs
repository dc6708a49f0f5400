//! The marketplace's rule book (`docs/rules.md`), as plain Rust with no framework types,
//! so the same code judges in the browser (compiled to WASM, while the seller types), on
//! the server (the authority, on every mutation), and in any tool that checks a product.

pub mod after_release;
pub mod asset;
pub mod field;
pub mod notice;
pub mod price;
pub mod product;
pub mod release;
pub mod request;
pub mod review;
pub mod text;

use serde::{Deserialize, Serialize};
use std::fmt;

/// A rule of `SPEC.md`, by its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Rule {
    R1,
    R2,
    R3,
    R4,
    R5,
    R6,
    R7,
    R8,
    R10,
    R11,
    R12,
    R13,
    R14,
    R15,
    R16,
    R17,
    R18,
    R19,
    R20,
    R21,
    R22,
    R40,
    R41,
    R42,
    R43,
    R44,
    R45,
    R50,
    R51,
    R52,
    R53,
    R54,
    R55,
    R70,
    R73,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

pub use field::FieldPath;

/// One broken rule: which rule, which field it concerns, and a message for the person, in
/// plain words (the rule's id is data, never part of the sentence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleViolation {
    pub rule: Rule,
    pub field: FieldPath,
    pub message: String,
}

impl RuleViolation {
    pub fn new(rule: Rule, field: impl Into<FieldPath>, message: impl Into<String>) -> Self {
        Self { rule, field: field.into(), message: message.into() }
    }
}
