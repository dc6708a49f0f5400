//! The life of a release request (R40, R44, R52): its statuses, which moves between them are
//! allowed and by whom, and the busy-day rule (R42). The server applies a move only with
//! a conditional UPDATE on the status it was checked against, so two moves racing on one
//! request give one winner.

use super::{Rule, RuleViolation};
use serde::{Deserialize, Serialize};

/// Where a release request stands (R40).
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RequestStatus {
    Submitted,
    UnderReview,
    Approved,
    Rejected,
    /// Taken back by its seller before a decision (R52 frees its images).
    Withdrawn,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 5] = [
        RequestStatus::Submitted,
        RequestStatus::UnderReview,
        RequestStatus::Approved,
        RequestStatus::Rejected,
        RequestStatus::Withdrawn,
    ];

    /// As stored in the database and shown to people.
    pub fn label(self) -> &'static str {
        match self {
            RequestStatus::Submitted => "Submitted",
            RequestStatus::UnderReview => "Under review",
            RequestStatus::Approved => "Approved",
            RequestStatus::Rejected => "Rejected",
            RequestStatus::Withdrawn => "Withdrawn",
        }
    }

    pub fn parse(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.label() == label)
    }

    /// The statuses waiting for a reviewer's decision.
    pub const PENDING: [RequestStatus; 2] = [RequestStatus::Submitted, RequestStatus::UnderReview];

    /// Waiting for a reviewer's decision: its images are reserved and it sits in the queue.
    pub fn is_pending(self) -> bool {
        Self::PENDING.contains(&self)
    }
}

/// A move from one status to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestAction {
    /// A reviewer takes the request up.
    StartReview,
    Approve,
    Reject,
    /// The seller takes the request back.
    Withdraw,
}

/// Who is moving the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Seller,
    Reviewer,
}

/// Why a move is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveRefused {
    /// The actor may never make this move.
    NotYours,
    /// The request is not in a status this move starts from.
    WrongStatus(RequestStatus),
}

impl MoveRefused {
    pub fn message(self, action: RequestAction) -> String {
        match self {
            MoveRefused::NotYours => "Your account cannot make this change to a release request.".into(),
            MoveRefused::WrongStatus(status) => {
                let verb = match action {
                    RequestAction::StartReview => "taken up for review",
                    RequestAction::Approve => "approved",
                    RequestAction::Reject => "rejected",
                    RequestAction::Withdraw => "withdrawn",
                };
                format!("This request is {} now, so it cannot be {verb}.", status.label().to_lowercase())
            }
        }
    }
}

/// The status `action` leads to from `from`, if `actor` may make it (R40, R44).
///
/// Submitted → Under review → Approved or Rejected; a reviewer may also decide straight
/// from Submitted (taking it up on the way). The seller may withdraw while it is pending.
/// Approved, Rejected and Withdrawn are final: a rejected product is edited as a new draft.
pub fn next_status(from: RequestStatus, action: RequestAction, actor: Actor) -> Result<RequestStatus, MoveRefused> {
    use RequestAction::*;
    use RequestStatus::*;
    let allowed_actor = match action {
        StartReview | Approve | Reject => Actor::Reviewer,
        Withdraw => Actor::Seller,
    };
    if actor != allowed_actor {
        return Err(MoveRefused::NotYours);
    }
    match (from, action) {
        (Submitted, StartReview) => Ok(UnderReview),
        (Submitted | UnderReview, Approve) => Ok(Approved),
        (Submitted | UnderReview, Reject) => Ok(Rejected),
        (Submitted | UnderReview, Withdraw) => Ok(Withdrawn),
        _ => Err(MoveRefused::WrongStatus(from)),
    }
}

/// A seller's requests in one marketplace day from which review may take longer (R42).
pub const BUSY_DAY_FROM: i64 = 10;

/// Whether the request that is a seller's `ordinal`-th of its day is marked as possibly
/// slower to review (R42).
pub fn is_busy_day_request(ordinal: i64) -> bool {
    ordinal >= BUSY_DAY_FROM
}

/// The warning a seller sees before submitting, given how many requests they already
/// submitted today (R42); `None` when the next one is not affected.
pub fn busy_day_warning(submitted_today: i64) -> Option<String> {
    let next = submitted_today + 1;
    is_busy_day_request(next).then(|| {
        format!(
            "This will be your request number {next} today. From the {BUSY_DAY_FROM}th request in one day, review may take longer than three working days."
        )
    })
}

/// Longest reason a reviewer may give for a rejection.
pub const MAX_REASON_CHARS: usize = 2_000;

/// The reason for a rejection, trimmed, or what is wrong with it (R44: a reason is required).
pub fn check_reason(reason: &str) -> Result<String, RuleViolation> {
    let reason = reason.trim();
    let refused = |message: String| RuleViolation::new(Rule::R44, "reason", message);
    if reason.is_empty() {
        Err(refused("Give the seller a reason for the rejection.".into()))
    } else if reason.chars().count() > MAX_REASON_CHARS {
        Err(refused(format!("Keep the reason under {MAX_REASON_CHARS} characters.")))
    } else {
        Ok(reason.to_owned())
    }
}

/// A phone number for SMS, as "+" and 8 to 15 digits (spaces, dots and dashes dropped);
/// required only when SMS is chosen. Returns the number to store, if any (R43).
pub fn check_phone(phone: &str, by_sms: bool) -> Result<Option<String>, RuleViolation> {
    let refused = |message: &str| RuleViolation::new(Rule::R43, "phone", message);
    let compact: String = phone.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    if compact.is_empty() {
        return if by_sms { Err(refused("Enter the mobile number SMS should go to.")) } else { Ok(None) };
    }
    let digits = compact.strip_prefix('+').unwrap_or("");
    if digits.len() < 8 || digits.len() > 15 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(refused("Enter the number in international form, such as +353 1 234 5678."));
    }
    Ok(Some(compact))
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestAction::*;
    use RequestStatus::*;

    #[test]
    fn r40_a_request_moves_submitted_under_review_then_approved_or_rejected() {
        assert_eq!(next_status(Submitted, StartReview, Actor::Reviewer), Ok(UnderReview));
        assert_eq!(next_status(UnderReview, Approve, Actor::Reviewer), Ok(Approved));
        assert_eq!(next_status(UnderReview, Reject, Actor::Reviewer), Ok(Rejected));
        for status in RequestStatus::ALL {
            assert_eq!(RequestStatus::parse(status.label()), Some(status));
        }
    }

    #[test]
    fn r44_decisions_are_final_and_only_reviewers_make_them() {
        for done in [Approved, Rejected, Withdrawn] {
            for action in [StartReview, Approve, Reject] {
                assert_eq!(next_status(done, action, Actor::Reviewer), Err(MoveRefused::WrongStatus(done)));
            }
            assert_eq!(next_status(done, Withdraw, Actor::Seller), Err(MoveRefused::WrongStatus(done)));
        }
        assert_eq!(next_status(UnderReview, StartReview, Actor::Reviewer), Err(MoveRefused::WrongStatus(UnderReview)));
        for action in [StartReview, Approve, Reject] {
            assert_eq!(next_status(Submitted, action, Actor::Seller), Err(MoveRefused::NotYours));
        }
        assert_eq!(next_status(Submitted, Withdraw, Actor::Reviewer), Err(MoveRefused::NotYours));
        let message = MoveRefused::WrongStatus(Approved).message(Reject);
        assert_eq!(message, "This request is approved now, so it cannot be rejected.");
    }

    #[test]
    fn r52_only_a_pending_request_can_be_withdrawn() {
        assert_eq!(next_status(Submitted, Withdraw, Actor::Seller), Ok(Withdrawn));
        assert_eq!(next_status(UnderReview, Withdraw, Actor::Seller), Ok(Withdrawn));
        assert!(Submitted.is_pending() && UnderReview.is_pending());
        assert!(!Approved.is_pending() && !Rejected.is_pending() && !Withdrawn.is_pending());
    }

    #[test]
    fn r42_the_tenth_request_of_a_day_and_later_are_marked_and_announced() {
        assert!(!is_busy_day_request(9));
        assert!(is_busy_day_request(10));
        assert!(is_busy_day_request(11));
        assert_eq!(busy_day_warning(8), None);
        let warning = busy_day_warning(9).expect("the 10th is announced");
        assert!(warning.contains("number 10"), "{warning}");
        assert!(busy_day_warning(12).is_some());
    }

    #[test]
    fn r43_sms_needs_a_number_in_international_form() {
        assert_eq!(check_phone("+353 1 234-5678", true), Ok(Some("+35312345678".into())));
        assert_eq!(check_phone("", false), Ok(None));
        assert!(check_phone("", true).is_err());
        assert!(check_phone("01 234 5678", true).is_err());
        assert!(check_phone("+12ab5678901", false).is_err());
    }

    #[test]
    fn r44_a_rejection_needs_a_reason_of_bounded_length() {
        assert!(check_reason("  ").is_err());
        assert_eq!(check_reason("  Missing licence terms. "), Ok("Missing licence terms.".into()));
        assert!(check_reason(&"x".repeat(MAX_REASON_CHARS + 1)).is_err());
    }
}
