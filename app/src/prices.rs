//! Notice before a price rises (R70–R73): saving new vCPU tier prices applies the decreases
//! at once and schedules the increases for the end of the notice period; buyers of the
//! product are told when an increase is scheduled, cancelled and when it takes effect; the
//! worker on every server applies due increases, each exactly once.
//!
//! Every change here writes the product's row (its version grows by one), so a save from a
//! stale page is refused, and two servers applying the same increase take turns on that
//! row. The row also carries the increases waiting (`products.coming`), so the public page
//! reads them with the product.

use crate::error::AppError;
use crate::rules::after_release::PriceChange;
use crate::rules::price::Price;
use crate::rules::release::BillingMode;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A price increase waiting for its date (R70, R71).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledIncrease {
    pub id: String,
    pub specification: usize,
    pub vcpus: u32,
    /// The billing mode's label, as in the price history.
    pub billing: String,
    pub old_price: String,
    pub new_price: String,
    pub takes_effect_at: i64,
    /// The marketplace's date it takes effect on, as `2027-02-28` (filled when shown).
    #[serde(default)]
    pub from_day: String,
}

impl ScheduledIncrease {
    /// The change it will make, as the shared rules plan with it (R73).
    pub fn change(&self) -> Option<PriceChange> {
        Some(PriceChange {
            specification: self.specification,
            vcpus: self.vcpus,
            billing: BillingMode::ALL.into_iter().find(|b| b.label() == self.billing)?,
            old: Price::parse(&self.old_price).ok()?,
            new: Price::parse(&self.new_price).ok()?,
        })
    }

    /// "Specification 1, 8 vCPUs, Monthly: $400.00 → $450.00".
    pub fn describe(&self) -> String {
        crate::rules::after_release::describe_price_change(self.specification, self.vcpus, &self.billing, &self.old_price, &self.new_price)
    }

    /// "From 2027-02-28: $450.00", shown beside the price it will replace (R71).
    pub fn coming(&self) -> String {
        format!("From {}: ${}", self.from_day, self.new_price)
    }

    /// The increase of `increases` waiting for one tier price, if any.
    pub fn find(increases: &[ScheduledIncrease], specification: usize, vcpus: u32, billing: BillingMode) -> Option<&ScheduledIncrease> {
        increases.iter().find(|i| i.specification == specification && i.vcpus == vcpus && i.billing == billing.label())
    }
}

/// Cancels an increase waiting for its date (R73); buyers are told.
#[server(client = crate::page_account::PageAccountClient, endpoint = "products/cancel-increase", output = crate::codec::TextJson)]
pub async fn cancel_price_increase(product_id: String, id: String) -> Result<crate::products::OwnedProduct, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    let state = &caller.state;
    ssr::cancel(&state.db, &seller.id, &product_id, &id, crate::store::now_ms()).await?;
    crate::products::ssr::owned(&state.db, &state.settings, &seller.id, &product_id).await
}

#[cfg(feature = "ssr")]
#[path = "prices_ssr.rs"]
pub mod ssr;
