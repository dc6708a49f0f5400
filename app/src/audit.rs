//! The audit log (R74): every change to a release request, its product and its image
//! assets, with who made it, when, and what changed, written in the transaction of the
//! change (a change rolled back leaves no row). Append-only: this module is the only code
//! that touches the table, and it has no function that could update or delete a row.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditKind {
    AssetReleased,
    Submitted,
    Withdrawn,
    ReviewStarted,
    Approved,
    Rejected,
    AssetLocked,
    AssetFreed,
    PriceChanged,
    PriceScheduled,
    PriceCancelled,
    PriceTookEffect,
    SetFree,
}

impl AuditKind {
    pub const ALL: [AuditKind; 13] = [
        AuditKind::AssetReleased,
        AuditKind::Submitted,
        AuditKind::Withdrawn,
        AuditKind::ReviewStarted,
        AuditKind::Approved,
        AuditKind::Rejected,
        AuditKind::AssetLocked,
        AuditKind::AssetFreed,
        AuditKind::PriceChanged,
        AuditKind::PriceScheduled,
        AuditKind::PriceCancelled,
        AuditKind::PriceTookEffect,
        AuditKind::SetFree,
    ];

    /// The name stored and used in addresses (`?kind=price-changed`).
    pub fn key(self) -> &'static str {
        match self {
            AuditKind::AssetReleased => "asset-released",
            AuditKind::Submitted => "submitted",
            AuditKind::Withdrawn => "withdrawn",
            AuditKind::ReviewStarted => "review-started",
            AuditKind::Approved => "approved",
            AuditKind::Rejected => "rejected",
            AuditKind::AssetLocked => "asset-locked",
            AuditKind::AssetFreed => "asset-freed",
            AuditKind::PriceChanged => "price-changed",
            AuditKind::PriceScheduled => "price-scheduled",
            AuditKind::PriceCancelled => "price-cancelled",
            AuditKind::PriceTookEffect => "price-took-effect",
            AuditKind::SetFree => "set-free",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AuditKind::AssetReleased => "Image asset released",
            AuditKind::Submitted => "Submitted",
            AuditKind::Withdrawn => "Withdrawn",
            AuditKind::ReviewStarted => "Review started",
            AuditKind::Approved => "Approved",
            AuditKind::Rejected => "Rejected",
            AuditKind::AssetLocked => "Image locked",
            AuditKind::AssetFreed => "Image freed",
            AuditKind::PriceChanged => "Price changed",
            AuditKind::PriceScheduled => "Price increase scheduled",
            AuditKind::PriceCancelled => "Price increase cancelled",
            AuditKind::PriceTookEffect => "Price increase took effect",
            AuditKind::SetFree => "Set as Free Image",
        }
    }

    pub fn parse(key: &str) -> Option<AuditKind> {
        AuditKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// One row of a history, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: i64,
    /// The account's name, or "system" for work no person started.
    pub actor: String,
    pub kind: AuditKind,
    /// What changed: before → after, a reason, or what it concerns.
    pub detail: String,
}

/// A history as shown: the latest [`SHOWN_OF_EACH_KIND`] entries of each kind, oldest
/// first, and how many older ones are left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHistory {
    pub entries: Vec<AuditEntry>,
    pub hidden: i64,
}

/// Entries of one kind a history shows, the latest. Some kinds have no end of their own
/// (lower prices, a request withdrawn and submitted again), and one kind must not push
/// another, such as the approval, out of sight.
pub const SHOWN_OF_EACH_KIND: i64 = 100;

/// The history of one of the signed-in seller's products.
#[server(client = crate::page_account::PageAccountClient, endpoint = "audit/product", output = crate::codec::TextJson)]
pub async fn product_history(id: String) -> Result<AuditHistory, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    let db = &caller.state.db;
    let request_id = crate::products::ssr::request_of(db, &seller.id, &id).await?;
    ssr::history(db, &request_id).await
}

/// The history of a release request, for a reviewer.
#[server(client = crate::page_account::PageAccountClient, endpoint = "audit/request", output = crate::codec::TextJson)]
pub async fn request_history(id: String) -> Result<AuditHistory, AppError> {
    let (caller, _) = crate::reviews::ssr::reviewer().await?;
    ssr::history(&caller.state.db, &id).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{AuditEntry, AuditHistory, AuditKind, SHOWN_OF_EACH_KIND};
    use crate::error::AppError;
    use crate::store::{from_json, now_ms, Context, Db};
    use sqlx::AnyConnection;

    /// What a row concerns: the request, the listed product and the image asset, as known.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct Subject<'a> {
        pub request_id: Option<&'a str>,
        pub product_id: Option<&'a str>,
        pub asset_id: Option<&'a str>,
    }

    /// Appends one row, in the caller's transaction. `actor_id`: the account, or `None` for
    /// the system.
    pub async fn record(conn: &mut AnyConnection, actor_id: Option<&str>, kind: AuditKind, subject: Subject<'_>, detail: &str) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor_id, kind, request_id, product_id, asset_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(now_ms())
        .bind(actor_id)
        .bind(kind.key())
        .bind(subject.request_id)
        .bind(subject.product_id)
        .bind(subject.asset_id)
        .bind(detail)
        .execute(&mut *conn)
        .await
        .context("writing the audit log")?;
        Ok(())
    }

    #[derive(sqlx::FromRow)]
    struct Row {
        at: i64,
        actor: Option<String>,
        kind: String,
        detail: String,
        /// Entries of this kind in the whole history.
        of_kind: i64,
        /// For an entry of another request (one of its image assets, freed or locked when
        /// that request was withdrawn, rejected or approved): that request's product name.
        other_request: Option<String>,
    }

    /// What is recorded about a request, its product and the image assets it names, oldest
    /// first: the latest entries of each kind.
    pub async fn history(db: &Db, request_id: &str) -> Result<AuditHistory, AppError> {
        let content: Option<String> = sqlx::query_scalar("SELECT content FROM release_requests WHERE id = $1")
            .bind(request_id)
            .fetch_optional(db)
            .await
            .context("reading a request for its history")?;
        let content = content.ok_or_else(|| AppError::NotFound("The release request".into()))?;
        let product: crate::rules::product::Product = from_json(&content, "release request", request_id)?;
        let assets: Vec<String> = product.specifications.iter().map(|s| s.asset_id.clone()).collect();
        let marks = (0..assets.len()).map(|n| format!("${}", n + 2)).collect::<Vec<_>>().join(", ");
        let by_asset = if assets.is_empty() { String::new() } else { format!(" OR l.asset_id IN ({marks})") };
        let sql = format!(
            "SELECT at, actor, kind, detail, of_kind, other_request FROM (\
               SELECT l.seq, l.at, a.display_name AS actor, l.kind, l.detail, \
               ROW_NUMBER() OVER (PARTITION BY l.kind ORDER BY l.seq DESC) AS latest, COUNT(*) OVER (PARTITION BY l.kind) AS of_kind, \
               CASE WHEN l.request_id <> $1 THEN r.product_name END AS other_request \
               FROM audit_log l LEFT JOIN accounts a ON a.id = l.actor_id LEFT JOIN release_requests r ON r.id = l.request_id \
               WHERE l.request_id = $1 OR l.product_id IN (SELECT id FROM products WHERE request_id = $1){by_asset}\
             ) h WHERE latest <= {SHOWN_OF_EACH_KIND} ORDER BY seq"
        );
        let mut query = sqlx::query_as::<_, Row>(&sql).bind(request_id);
        for asset in &assets {
            query = query.bind(asset);
        }
        let rows = query.fetch_all(db).await.context("reading a history")?;
        let mut of_kind = std::collections::BTreeMap::new();
        for row in &rows {
            of_kind.entry(row.kind.clone()).or_insert((row.of_kind, 0_i64)).1 += 1;
        }
        let hidden = of_kind.values().map(|(all, shown)| all - shown).sum();
        let entries = rows
            .into_iter()
            .filter_map(|r| {
                let kind = AuditKind::parse(&r.kind)?;
                let detail = match r.other_request {
                    Some(name) => format!("{}, by the request for {name}", r.detail),
                    None => r.detail,
                };
                Some(AuditEntry { at: r.at, actor: r.actor.unwrap_or_else(|| "system".into()), kind, detail })
            })
            .collect();
        Ok(AuditHistory { entries, hidden })
    }
}
