//! Product Management → My Applications (R40–R42, R44, R52): a seller's release requests
//! with their progress, due dates and busy-day marks; withdrawing a pending one, and
//! editing a rejected one as a new draft.

use crate::error::AppError;
use crate::paging::Paged;
use crate::rules::product::Product;
use crate::rules::request::RequestStatus;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A reviewer's decision, as *Your decisions* shows one kind of them (`?decision=approved`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approved,
    Rejected,
}

impl Decision {
    pub const ALL: [Decision; 2] = [Decision::Approved, Decision::Rejected];

    /// The name in addresses.
    pub fn key(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::Rejected => "rejected",
        }
    }

    pub fn parse(key: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|d| d.key() == key)
    }

    /// The status a request so decided is in.
    pub fn status(self) -> RequestStatus {
        match self {
            Decision::Approved => RequestStatus::Approved,
            Decision::Rejected => RequestStatus::Rejected,
        }
    }
}

/// A release request and its progress, as its seller and reviewers see it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    pub product_name: String,
    pub seller_name: String,
    pub status: RequestStatus,
    pub submitted_at: i64,
    pub review_started_at: Option<i64>,
    pub decided_at: Option<i64>,
    pub withdrawn_at: Option<i64>,
    pub reviewer_name: Option<String>,
    /// The reviewer's reason, when rejected.
    pub reason: Option<String>,
    /// When the review is due (R41).
    pub due_at: i64,
    /// Pending past its due time (R41).
    pub overdue: bool,
    /// The seller's 10th or later request of its day (R42).
    pub busy_day: bool,
    /// The listed product, once approved (R45).
    pub product_id: Option<String>,
}

/// A request with everything its seller submitted.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationDetail {
    pub application: Application,
    #[cfg_attr(feature = "ssr", schema(value_type = crate::rules::release::ProductDraft))]
    pub content: Product,
    /// Names of the image assets in the content, by asset id.
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<Vec<String>>))]
    pub asset_names: Vec<(String, String)>,
}

/// A page of the signed-in seller's requests, newest first: the first, or the one after
/// the cursor `before` (a page's `older`).
#[server(client = crate::page_account::PageAccountClient, endpoint = "applications/list", output = crate::codec::TextJson)]
pub async fn list_applications(before: Option<String>) -> Result<Paged<Application>, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    let state = caller.state;
    let after = crate::paging::ssr::after(before.as_deref())?;
    ssr::mine(&state.db, &state.settings.calendar, &seller.id, &after, crate::paging::PAGE_SIZE).await
}

/// One of the signed-in seller's requests.
#[server(client = crate::page_account::PageAccountClient, endpoint = "applications/get", output = crate::codec::TextJson)]
pub async fn load_application(id: String) -> Result<ApplicationDetail, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    let state = caller.state;
    ssr::detail(&state.db, &state.settings.calendar, &id, Some(&seller.id)).await
}

/// Takes back a pending request and frees its images (R52).
#[server(client = crate::page_account::PageAccountClient, endpoint = "applications/withdraw", output = crate::codec::TextJson)]
pub async fn withdraw_application(id: String) -> Result<(), AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::withdraw(&caller.state.db, &seller.id, &id).await
}

/// Copies a rejected or withdrawn request's content into a draft to edit and submit again
/// (R44, R52), or reopens the draft an earlier click made, while it is still a draft.
/// Returns its id.
#[server(client = crate::page_account::PageAccountClient, endpoint = "applications/edit", output = crate::codec::TextJson)]
pub async fn edit_rejected(id: String) -> Result<String, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    let db = &caller.state.db;
    let detail = ssr::detail(db, &caller.state.settings.calendar, &id, Some(&seller.id)).await?;
    if !matches!(detail.application.status, RequestStatus::Rejected | RequestStatus::Withdrawn) {
        return Err(AppError::Conflict("Only a rejected or withdrawn request can be edited and submitted again.".into()));
    }
    let settings = &caller.state.settings;
    crate::drafts::ssr::from_request(db, &settings.catalog, &seller.id, &id, &crate::rules::release::ProductDraft::from(detail.content), settings.drafts_per_seller).await
}

/// The request one of the signed-in seller's drafts was made from ("Edit and submit
/// again"), if it was: the wizard says why it came back, with the reviewer's reason.
#[server(client = crate::page_account::PageAccountClient, endpoint = "applications/of-draft", output = crate::codec::TextJson)]
pub async fn request_of_draft(draft_id: String) -> Result<Option<Application>, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    let db = &caller.state.db;
    let Some(request_id) = crate::drafts::ssr::source_of(db, &seller.id, &draft_id).await? else { return Ok(None) };
    Ok(Some(ssr::detail(db, &caller.state.settings.calendar, &request_id, Some(&seller.id)).await?.application))
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::store::Context;
    use super::{Application, ApplicationDetail};
    use crate::error::AppError;
    use crate::paging::{After, Paged};
    use crate::rules::request::{is_busy_day_request, next_status, Actor, RequestAction, RequestStatus};
    use crate::rules::review::WorkCalendar;
    use crate::store::{from_json, now_ms, Db};

    /// A request's progress; lists leave out its content, which only its own page shows.
    const COLUMNS: &str = "r.id, r.seller_id, r.product_name, r.status, r.submitted_at, r.review_started_at, r.decided_at, \
        r.withdrawn_at, r.reason, r.day_ordinal, s.display_name AS seller_name, \
        v.display_name AS reviewer_name, p.id AS product_id";
    const FROM: &str = "FROM release_requests r JOIN accounts s ON s.id = r.seller_id \
        LEFT JOIN accounts v ON v.id = r.reviewer_id LEFT JOIN products p ON p.request_id = r.id";

    /// A release request as stored, with its seller's, reviewer's and product's names.
    #[derive(sqlx::FromRow)]
    struct RequestRow {
        id: String,
        seller_id: String,
        product_name: String,
        status: String,
        submitted_at: i64,
        review_started_at: Option<i64>,
        decided_at: Option<i64>,
        withdrawn_at: Option<i64>,
        reason: Option<String>,
        day_ordinal: i64,
        seller_name: String,
        reviewer_name: Option<String>,
        product_id: Option<String>,
    }

    /// A release request with what its seller submitted.
    #[derive(sqlx::FromRow)]
    struct DetailRow {
        #[sqlx(flatten)]
        request: RequestRow,
        content: String,
    }

    impl RequestRow {
        fn application(&self, calendar: &WorkCalendar, now: i64) -> Result<Application, AppError> {
            let status = RequestStatus::parse(&self.status).ok_or_else(|| {
                tracing::error!(id = %self.id, status = %self.status, "a stored release request has an unknown status");
                AppError::Internal
            })?;
            Ok(Application {
                id: self.id.clone(),
                product_name: self.product_name.clone(),
                seller_name: self.seller_name.clone(),
                status,
                submitted_at: self.submitted_at,
                review_started_at: self.review_started_at,
                decided_at: self.decided_at,
                withdrawn_at: self.withdrawn_at,
                reviewer_name: self.reviewer_name.clone(),
                reason: self.reason.clone(),
                due_at: calendar.review_due(self.submitted_at),
                overdue: status.is_pending() && calendar.is_overdue(self.submitted_at, now),
                busy_day: is_busy_day_request(self.day_ordinal),
                product_id: self.product_id.clone(),
            })
        }
    }

    /// A page of one seller's requests, newest first, after `after`. A seller can make
    /// requests without end (R42 only marks busy days), so this is read a page at a time.
    pub async fn mine(db: &Db, calendar: &WorkCalendar, seller_id: &str, after: &After, limit: usize) -> Result<Paged<Application>, AppError> {
        let list = List { whose: "r.seller_id = $1".to_owned(), time: "r.submitted_at", what: "listing a seller's release requests" };
        list.page(db, calendar, seller_id, after, limit, |a| a.submitted_at).await
    }

    /// A page of the requests a reviewer approved or rejected, the most recently decided
    /// first, after `after`: a reviewer's decisions grow without end, so they are read a page
    /// at a time.
    /// With `decision`, only those so decided (`Decision`).
    pub async fn decided_by(
        db: &Db,
        calendar: &WorkCalendar,
        reviewer_id: &str,
        decision: Option<crate::applications::Decision>,
        after: &After,
        limit: usize,
    ) -> Result<Paged<Application>, AppError> {
        // The status is one of the labels of this crate's `RequestStatus`, not anything sent;
        // an index on (reviewer, status, time) reads a page of one kind from its place.
        let whose = match decision {
            Some(decision) => {
                let status = decision.status().label();
                debug_assert!(status.chars().all(|c| c.is_ascii_alphabetic() || c == ' '), "{status}");
                format!("r.reviewer_id = $1 AND r.status = '{status}'")
            }
            None => "r.reviewer_id = $1 AND r.decided_at IS NOT NULL".to_owned(),
        };
        let list = List { whose, time: "r.decided_at", what: "listing a reviewer's decisions" };
        list.page(db, calendar, reviewer_id, after, limit, |a| a.decided_at.unwrap_or_default()).await
    }

    /// A list of requests read a page at a time, newest first by `time`: those `whose`
    /// condition (on `$1`, the list's owner) holds.
    struct List {
        whose: String,
        time: &'static str,
        /// What reading it is, for the log.
        what: &'static str,
    }

    impl List {
        async fn page(&self, db: &Db, calendar: &WorkCalendar, owner: &str, after: &After, limit: usize, time: fn(&Application) -> i64) -> Result<Paged<Application>, AppError> {
            let now = now_ms();
            let select = format!("SELECT {COLUMNS} {FROM} WHERE {}", self.whose);
            let rows: Vec<RequestRow> = crate::paging::ssr::rows_after(db, &select, owner, (self.time, "r.id"), after, limit).await.context(self.what)?;
            let items = rows.iter().map(|row| row.application(calendar, now)).collect::<Result<Vec<_>, _>>()?;
            Ok(crate::paging::split(items, limit, |a| (time(a), a.id.as_str())))
        }
    }

    /// The pending requests of every seller, oldest first: the review queue (R44). Each is
    /// one of a seller's image assets in review (R20), so the queue is as long as the assets.
    pub async fn queue(db: &Db, calendar: &WorkCalendar) -> Result<Vec<Application>, AppError> {
        let now = now_ms();
        let [first, second] = RequestStatus::PENDING.map(RequestStatus::label);
        let rows: Vec<RequestRow> = sqlx::query_as(&format!("SELECT {COLUMNS} {FROM} WHERE r.status IN ($1, $2) ORDER BY r.submitted_at, r.id"))
            .bind(first)
            .bind(second)
            .fetch_all(db)
            .await
            .context("listing the review queue")?;
        rows.iter().map(|row| row.application(calendar, now)).collect()
    }

    /// One request with its content; `seller_id` limits it to that seller's own.
    pub async fn detail(db: &Db, calendar: &WorkCalendar, id: &str, seller_id: Option<&str>) -> Result<ApplicationDetail, AppError> {
        let DetailRow { request: row, content } = sqlx::query_as(&format!("SELECT {COLUMNS}, r.content {FROM} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(db)
            .await
            .context("loading a release request")?
            .ok_or_else(|| AppError::NotFound("The release request".into()))?;
        if seller_id.is_some_and(|s| s != row.seller_id) {
            return Err(AppError::NotFound("The release request".into()));
        }
        let application = row.application(calendar, now_ms())?;
        let content: crate::rules::product::Product = from_json(&content, "release request", id)?;
        let asset_names = crate::assets::ssr::choices(db, &row.seller_id)
            .await?
            .into_iter()
            .filter(|a| content.specifications.iter().any(|s| s.asset_id == a.id))
            .map(|a| (a.id, a.name))
            .collect();
        Ok(ApplicationDetail { application, content, asset_names })
    }

    /// The statuses `action` may start from, and where it leads, by the shared rules.
    pub fn moves(action: RequestAction, actor: Actor) -> Vec<(RequestStatus, RequestStatus)> {
        RequestStatus::ALL
            .into_iter()
            .filter_map(|from| next_status(from, action, actor).ok().map(|to| (from, to)))
            .collect()
    }

    /// Why a move that changed no row was refused: the request is gone, or in another status.
    pub async fn refusal(db: &Db, id: &str, owner: Option<&str>, action: RequestAction, actor: Actor) -> AppError {
        let found: Result<Option<(String, String)>, _> =
            sqlx::query_as("SELECT status, seller_id FROM release_requests WHERE id = $1").bind(id).fetch_optional(db).await;
        match found {
            Err(error) => crate::store::failure(error, "reading a release request"),
            Ok(None) => AppError::NotFound("The release request".into()),
            Ok(Some((_, seller))) if owner.is_some_and(|o| o != seller) => AppError::NotFound("The release request".into()),
            Ok(Some((status, _))) => match RequestStatus::parse(&status).map(|s| next_status(s, action, actor)) {
                Some(Err(refused)) => AppError::Conflict(refused.message(action)),
                _ => AppError::Conflict("This request changed just now. Reload the page to see it.".into()),
            },
        }
    }

    pub async fn withdraw(db: &Db, seller_id: &str, id: &str) -> Result<(), AppError> {
        let moves = moves(RequestAction::Withdraw, Actor::Seller);
        let now = now_ms();
        let mut tx = db.begin().await.context("starting a withdrawal")?;
        // The write comes first: it decides, and no stale read can lead it.
        let mut changed = 0;
        for (from, to) in &moves {
            changed += sqlx::query(
                "UPDATE release_requests SET status = $1, withdrawn_at = $2 WHERE id = $3 AND seller_id = $4 AND status = $5",
            )
            .bind(to.label())
            .bind(now)
            .bind(id)
            .bind(seller_id)
            .bind(from.label())
            .execute(&mut *tx)
            .await
            .context("withdrawing a release request")?
            .rows_affected();
        }
        if changed != 1 {
            drop(tx);
            return Err(refusal(db, id, Some(seller_id), RequestAction::Withdraw, Actor::Seller).await);
        }
        let subject = crate::audit::ssr::Subject { request_id: Some(id), ..Default::default() };
        crate::audit::ssr::record(&mut tx, Some(seller_id), crate::audit::AuditKind::Withdrawn, subject, "").await?;
        crate::assets::ssr::free_for(&mut tx, id, seller_id).await?;
        tx.commit().await.context("committing a withdrawal")
    }
}
