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
    /// `hidden` is a lower bound: a very long history is counted only so far.
    pub hidden_at_least: bool,
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
        /// For an entry of another request (one of its image assets, freed or locked when
        /// that request was withdrawn, rejected or approved): that request's product name.
        other_request: Option<String>,
    }

    /// Entries of one kind of one subject a history counts at most: past it, the number left
    /// out is a lower bound (`AuditHistory::hidden_at_least`).
    pub const COUNTED_OF_EACH: usize = 1000;

    /// What is recorded about a request, its product and the image assets it names, oldest
    /// first: the latest entries of each kind.
    ///
    /// Bounded however long the history: the latest entries of each kind of each subject
    /// are read from the (subject, kind, seq) indexes, at most [`COUNTED_OF_EACH`] + 1 of
    /// them, and merged here (an entry can concern two subjects: an approval names the
    /// request and its product); then the rows shown are read by their `seq`.
    pub async fn history(db: &Db, request_id: &str) -> Result<AuditHistory, AppError> {
        let content: Option<String> = sqlx::query_scalar("SELECT content FROM release_requests WHERE id = $1")
            .bind(request_id)
            .fetch_optional(db)
            .await
            .context("reading a request for its history")?;
        let content = content.ok_or_else(|| AppError::NotFound("The release request".into()))?;
        let product: crate::rules::product::Product = from_json(&content, "release request", request_id)?;
        let products: Vec<String> = sqlx::query_scalar("SELECT id FROM products WHERE request_id = $1")
            .bind(request_id)
            .fetch_all(db)
            .await
            .context("reading a request's product for its history")?;
        let mut assets: Vec<String> = product.specifications.iter().map(|s| s.asset_id.clone()).collect();
        assets.sort();
        assets.dedup();
        // Each subject is a fixed column name and a value, bound as `$n`.
        let subjects: Vec<(&str, &str)> = std::iter::once(("request_id", request_id))
            .chain(products.iter().map(|id| ("product_id", id.as_str())))
            .chain(assets.iter().map(|id| ("asset_id", id.as_str())))
            .collect();
        // The kinds are this crate's own keys (letters and dashes), written into the SQL.
        let arms: Vec<String> = subjects
            .iter()
            .enumerate()
            .flat_map(|(n, (column, _))| {
                AuditKind::ALL.into_iter().map(move |kind| {
                    format!(
                        "SELECT CAST({n} AS BIGINT) AS subject, kind, seq FROM (SELECT kind, seq FROM audit_log \
                         WHERE {column} = ${} AND kind = '{}' ORDER BY seq DESC LIMIT {}) AS s{n}_{}",
                        n + 1,
                        kind.key(),
                        COUNTED_OF_EACH + 1,
                        kind.key().replace('-', "_"),
                    )
                })
            })
            .collect();
        let latest_sql = arms.join(" UNION ALL ");
        let mut latest = sqlx::query_as::<_, (i64, String, i64)>(&latest_sql);
        for (_, value) in &subjects {
            latest = latest.bind(*value);
        }
        let latest = latest.fetch_all(db).await.context("reading a history")?;
        let mut of_arm: std::collections::HashMap<(i64, &str), usize> = std::collections::HashMap::new();
        let mut of_kind: std::collections::BTreeMap<&str, std::collections::BTreeSet<i64>> = Default::default();
        for (subject, kind, seq) in &latest {
            *of_arm.entry((*subject, kind.as_str())).or_default() += 1;
            of_kind.entry(kind.as_str()).or_default().insert(*seq);
        }
        let hidden_at_least = of_arm.values().any(|&read| read > COUNTED_OF_EACH);
        let shown_of_kind = SHOWN_OF_EACH_KIND as usize;
        let hidden = of_kind.values().map(|seqs| seqs.len().saturating_sub(shown_of_kind) as i64).sum();
        let mut shown: Vec<i64> = of_kind.values().flat_map(|seqs| seqs.iter().rev().take(shown_of_kind).copied()).collect();
        if shown.is_empty() {
            return Ok(AuditHistory { entries: Vec::new(), hidden, hidden_at_least });
        }
        shown.sort_unstable();
        let marks = (0..shown.len()).map(|n| format!("${}", n + 2)).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT l.at, a.display_name AS actor, l.kind, l.detail, \
             CASE WHEN l.request_id <> $1 THEN r.product_name END AS other_request \
             FROM audit_log l LEFT JOIN accounts a ON a.id = l.actor_id LEFT JOIN release_requests r ON r.id = l.request_id \
             WHERE l.seq IN ({marks}) ORDER BY l.seq"
        );
        let mut query = sqlx::query_as::<_, Row>(&sql).bind(request_id);
        for seq in &shown {
            query = query.bind(*seq);
        }
        let rows = query.fetch_all(db).await.context("reading a history")?;
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
        Ok(AuditHistory { entries, hidden, hidden_at_least })
    }
}
