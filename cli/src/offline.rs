//! What the tool does without a server: an example file, the file's schema, and the rule
//! book's checks (R65), with the messages the wizard shows.

use rules::release::{check_draft, check_draft_bounds, AssetAvailability, ProductDraft, ReleaseContext, SpecificationDraft, TemplateKind, VcpuTierDraft};
use rules::RuleViolation;
use serde::Serialize;
use std::path::{Path, PathBuf};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// An example product with every field filled: one specification priced simply, one by vCPUs.
pub fn example() -> ProductDraft {
    let mut product = rules::release::sample::complete_product("PostgreSQL 16 on Debian 12", "your-image-asset-id");
    product.summary = "PostgreSQL 16, tuned and hardened, ready in a minute.".into();
    product.description = "PostgreSQL 16 on Debian 12 with automatic backups and monitoring.\nSecurity updates every month.".into();
    product.specifications[0].billing = [true, true, false];
    product.specifications[0].simple_prices = ["0.10".into(), "60".into(), String::new()];
    product.specifications.push(SpecificationDraft {
        asset_id: "another-image-asset-id".into(),
        regions: vec!["ap-singapore".into()],
        template: TemplateKind::Vcpu,
        billing: [true, true, true],
        simple_prices: Default::default(),
        tiers: vec![
            VcpuTierDraft { vcpus: "2".into(), prices: ["0.20".into(), "120".into(), "1200".into()] },
            VcpuTierDraft { vcpus: "4".into(), prices: ["0.40".into(), "240".into(), "2400".into()] },
        ],
    });
    product
}

pub fn init(file: &Path, force: bool) -> u8 {
    if file.exists() && !force {
        eprintln!("{} exists; use --force to replace it.", file.display());
        return 2;
    }
    let text = serde_json::to_string_pretty(&example()).expect("a product writes as JSON") + "\n";
    match std::fs::write(file, text) {
        Ok(()) => {
            println!("Wrote {}. Put your image asset ids in it, then: marketplace validate {}", file.display(), file.display());
            0
        }
        Err(e) => {
            eprintln!("Cannot write {}: {e}", file.display());
            2
        }
    }
}

/// The product file's JSON Schema (2020-12), derived from the rule book's types.
pub fn product_schema() -> serde_json::Value {
    let mut parts: Vec<(String, RefOr<Schema>)> = Vec::new();
    ProductDraft::schemas(&mut parts);
    let mut defs = serde_json::Map::new();
    for (name, schema) in parts {
        defs.insert(name, serde_json::to_value(schema).expect("a schema writes as JSON"));
    }
    let mut root = serde_json::to_value(ProductDraft::schema()).expect("a schema writes as JSON");
    if let serde_json::Value::Object(object) = &mut root {
        object.insert("$schema".into(), "https://json-schema.org/draft/2020-12/schema".into());
        object.insert("title".into(), "Marketplace product file".into());
        object.insert("$defs".into(), defs.into());
    }
    let text = root.to_string().replace("#/components/schemas/", "#/$defs/");
    serde_json::from_str(&text).expect("the schema reads back")
}

pub fn schema() -> u8 {
    println!("{}", serde_json::to_string_pretty(&product_schema()).expect("a schema writes as JSON"));
    0
}

/// What one file's check found.
#[derive(Serialize)]
struct Checked {
    file: PathBuf,
    valid: bool,
    /// Set when the file could not be read as a product.
    error: Option<String>,
    violations: Vec<Found>,
}

#[derive(Serialize)]
struct Found {
    rule: String,
    field: String,
    message: String,
}

/// The context a file is checked against offline: the marketplace's standard catalog, and
/// the image assets it names taken as the seller's and free. The server checks those two
/// against the account (`marketplace submit`, or the API's validate).
fn offline_context(product: &ProductDraft) -> ReleaseContext {
    ReleaseContext {
        assets: product.specifications.iter().map(|s| (s.asset_id.clone(), AssetAvailability::Available)).filter(|(id, _)| !id.is_empty()).collect(),
        ..ReleaseContext::default()
    }
}

/// Reads a product file; the error says why it is not one.
pub fn read_product(file: &Path) -> Result<ProductDraft, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read it: {e}"))?;
    let product: ProductDraft = serde_json::from_str(&text).map_err(|e| format!("not a product file: {e}"))?;
    check_draft_bounds(&product)?;
    Ok(product)
}

fn check(file: &Path) -> Checked {
    match read_product(file) {
        Err(error) => Checked { file: file.to_owned(), valid: false, error: Some(error), violations: Vec::new() },
        Ok(product) => {
            let violations: Vec<RuleViolation> = check_draft(&product, &offline_context(&product));
            let violations: Vec<Found> = violations
                .into_iter()
                .map(|v| Found { rule: v.rule.to_string(), field: v.field.to_string(), message: v.message })
                .collect();
            Checked { file: file.to_owned(), valid: violations.is_empty(), error: None, violations }
        }
    }
}

/// Checks every file; exit 0 when all are valid, 1 when any breaks a rule, 2 when any
/// cannot be read.
pub fn validate(files: &[PathBuf], json: bool) -> u8 {
    let mut code = 0;
    for file in files {
        let checked = check(file);
        code = code.max(if checked.error.is_some() { 2 } else if checked.valid { 0 } else { 1 });
        if json {
            println!("{}", serde_json::to_string(&checked).expect("a result writes as JSON"));
            continue;
        }
        let name = file.display();
        match (&checked.error, checked.violations.is_empty()) {
            (Some(error), _) => eprintln!("{name}: {error}"),
            (None, true) => println!("{name}: valid"),
            (None, false) => {
                for v in &checked.violations {
                    println!("{name}: {}: {} [{}]", v.field, v.message, v.rule);
                }
            }
        }
    }
    code
}
