//! The review queue (R44): reviewers take up pending release requests, oldest first, and
//! approve them (locking their images, R52, and listing the product, R45) or reject them
//! with a reason (freeing their images). Every decision notifies the seller (R43) in the
//! same transaction.

use crate::applications::{Application, ApplicationDetail};
use crate::error::AppError;
use crate::rules::request::RequestAction;
use leptos::prelude::*;

/// Pending requests of every seller, oldest first, with due dates (R41, R44).
#[server(client = crate::page_account::PageAccountClient, endpoint = "review/queue", output = crate::codec::TextJson)]
pub async fn review_queue() -> Result<Vec<Application>, AppError> {
    let (caller, _) = ssr::reviewer().await?;
    crate::applications::ssr::queue(&caller.state.db, &caller.state.settings.calendar).await
}

/// A page of the requests the signed-in reviewer approved or rejected, the most recently
/// decided first: the first, or the one after the cursor `before` (a page's `older`); with
/// `decision` (`approved` or `rejected`), those so decided only.
#[server(client = crate::page_account::PageAccountClient, endpoint = "review/decided", output = crate::codec::TextJson)]
pub async fn my_decisions(before: Option<String>, decision: Option<String>) -> Result<crate::paging::Paged<Application>, AppError> {
    let (caller, reviewer) = ssr::reviewer().await?;
    let after = crate::paging::ssr::after(before.as_deref())?;
    let decision = match decision.as_deref().filter(|d| !d.is_empty()) {
        None => None,
        Some(key) => Some(crate::applications::Decision::parse(key).ok_or_else(|| AppError::BadRequest("The decision is neither approved nor rejected.".into()))?),
    };
    crate::applications::ssr::decided_by(&caller.state.db, &caller.state.settings.calendar, &reviewer.id, decision, &after, crate::paging::PAGE_SIZE).await
}

/// Any request, with everything its seller submitted.
#[server(client = crate::page_account::PageAccountClient, endpoint = "review/get", output = crate::codec::TextJson)]
pub async fn load_for_review(id: String) -> Result<ApplicationDetail, AppError> {
    let (caller, _) = ssr::reviewer().await?;
    crate::applications::ssr::detail(&caller.state.db, &caller.state.settings.calendar, &id, None).await
}

/// Moves a request: take it up, approve it, or reject it with `reason` (R44).
#[server(client = crate::page_account::PageAccountClient, endpoint = "review/decide", output = crate::codec::TextJson)]
pub async fn decide(id: String, action: RequestAction, reason: String) -> Result<(), AppError> {
    let (caller, reviewer) = ssr::reviewer().await?;
    ssr::decide(&caller.state.db, &reviewer.id, &id, action, &reason).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::store::Context;
    use crate::applications::ssr::{moves, refusal};
    use crate::auth::{ssr::Caller, Account, Role};
    use crate::error::AppError;
    use crate::rules::request::{check_reason, Actor, RequestAction, RequestStatus};
    use crate::store::{new_id, now_ms, Db};
    use crate::audit::ssr::{record, Subject};
    use crate::audit::AuditKind;

    pub async fn reviewer() -> Result<(Caller, Account), AppError> {
        let caller = Caller::from_context()?;
        let account = caller.require_role(Role::Reviewer).await?;
        Ok((caller, account))
    }

    pub async fn decide(db: &Db, reviewer_id: &str, id: &str, action: RequestAction, reason: &str) -> Result<(), AppError> {
        let reason = match action {
            RequestAction::Reject => Some(check_reason(reason).map_err(|v| AppError::Rules(vec![v]))?),
            _ => None,
        };
        let now = now_ms();
        let mut tx = db.begin().await.context("starting a review decision")?;
        // The conditional UPDATE comes first and decides: of two reviewers deciding at once,
        // one changes the row and the other changes nothing and is told why.
        let mut changed = 0;
        let mut reached = None;
        for (from, to) in moves(action, Actor::Reviewer) {
            let decided_at = (to != RequestStatus::UnderReview).then_some(now);
            let rows = sqlx::query(
                "UPDATE release_requests SET status = $1, review_started_at = COALESCE(review_started_at, $2), \
                 reviewer_id = $3, decided_at = $4, reason = $5 WHERE id = $6 AND status = $7",
            )
            .bind(to.label())
            .bind(now)
            .bind(reviewer_id)
            .bind(decided_at)
            .bind(reason.clone())
            .bind(id)
            .bind(from.label())
            .execute(&mut *tx)
            .await
            .context("recording a review decision")?
            .rows_affected();
            if rows == 1 {
                reached = Some(to);
            }
            changed += rows;
        }
        let Some(status) = reached.filter(|_| changed == 1) else {
            drop(tx);
            // This reviewer's own decision sent again (its answer was lost on the way back):
            // it is done, not refused as if someone else had decided.
            let now_is: Option<(String, Option<String>, Option<String>)> =
                sqlx::query_as("SELECT status, reviewer_id, reason FROM release_requests WHERE id = $1")
                    .bind(id)
                    .fetch_optional(db)
                    .await
                    .context("reading a request's decision")?;
            if let Some((status, by, said)) = now_is {
                let reached = moves(action, Actor::Reviewer).into_iter().any(|(_, to)| to.label() == status);
                if reached && by.as_deref() == Some(reviewer_id) && said == reason {
                    return Ok(());
                }
            }
            return Err(refusal(db, id, None, action, Actor::Reviewer).await);
        };
        let (seller_id, name, content): (String, String, String) =
            sqlx::query_as("SELECT seller_id, product_name, content FROM release_requests WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .context("reading a decided request")?;
        let link = format!("/console/applications/{id}");
        let notice = match status {
            RequestStatus::Approved => {
                let product: crate::rules::product::Product = crate::store::from_json(&content, "release request", id)?;
                // R15 again: another request of the seller's under this name may have been
                // approved since this one was submitted. In the seller's turn, so two such
                // approvals at once cannot both list.
                crate::store::account_turn(&mut tx, &seller_id).await?;
                // A request submitted before a rule about names was added is held to it too:
                // the name goes into the buyers' emails and SMS as it is.
                if let Some(problem) = crate::rules::text::name_problem(name.trim_matches(' ')) {
                    let message = format!("This request's name cannot be listed: {problem} Reject this request and say so.");
                    return Err(AppError::Rules(vec![crate::rules::RuleViolation::new(crate::rules::Rule::R15, "name", message)]));
                }
                let live = crate::listing::ssr::names_of(&mut *tx, &seller_id).await?;
                if let Some(taken) = crate::rules::release::name_taken(&name, &live) {
                    let message = format!(
                        "The seller already lists a product named {}, approved after this request was submitted. Reject this request and say so.",
                        name.trim_matches(' ')
                    );
                    return Err(AppError::Rules(vec![crate::rules::RuleViolation::new(taken.rule, "name", message)]));
                }
                let product_id = new_id();
                crate::listing::ssr::list(&mut tx, &product_id, &seller_id, id, &product, now).await?;
                let subject = Subject { request_id: Some(id), product_id: Some(&product_id), ..Default::default() };
                record(&mut tx, Some(reviewer_id), AuditKind::Approved, subject, "Listed on the marketplace").await?;
                crate::assets::ssr::lock_for(&mut tx, id, reviewer_id).await?;
                Some((
                    format!("Approved: {name}"),
                    format!(
                        "Your release request for {name} was approved. The product is now listed on the marketplace. Its image is now locked: it belongs to the product, so you can no longer use it directly; to run it yourself, purchase the product like any buyer."
                    ),
                ))
            }
            RequestStatus::Rejected => {
                let subject = Subject { request_id: Some(id), ..Default::default() };
                record(&mut tx, Some(reviewer_id), AuditKind::Rejected, subject, reason.as_deref().unwrap_or_default()).await?;
                crate::assets::ssr::free_for(&mut tx, id, reviewer_id).await?;
                Some((
                    format!("Rejected: {name}"),
                    format!(
                        "Your release request for {name} was rejected. Reason: {}\n\nYou can edit the product and submit it again from My Applications.",
                        reason.as_deref().unwrap_or_default()
                    ),
                ))
            }
            _ => {
                let subject = Subject { request_id: Some(id), ..Default::default() };
                record(&mut tx, Some(reviewer_id), AuditKind::ReviewStarted, subject, &name).await?;
                None
            }
        };
        if let Some((subject, body)) = notice {
            crate::notifications::ssr::notify(&mut tx, &seller_id, &subject, &body, &link)
                .await
                .context("writing the seller's notifications")?;
        }
        tx.commit().await.context("committing a review decision")
    }
}
