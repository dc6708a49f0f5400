//! Private images and image assets (SPEC section 1): what the Image Assets page shows,
//! and releasing a private image as an asset.

use crate::error::AppError;
use crate::rules::asset::{AssetPolicy, PrivateImage};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::assets::ImageAsset;

/// Everything the Image Assets page shows. Eligibility is not sent: the page computes it
/// with the shared rules from the images and the policy, on the server and in the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageAssetsOverview {
    pub images: Vec<PrivateImage>,
    pub assets: Vec<ImageAsset>,
    pub policy: AssetPolicy,
}

impl ImageAssetsOverview {
    pub fn asset_of(&self, image_id: &str) -> Option<&ImageAsset> {
        self.assets.iter().find(|a| a.image_id == image_id)
    }
}

/// The signed-in seller's private images and image assets.
#[server(client = crate::page_account::PageAccountClient, endpoint = "images/overview", output = crate::codec::TextJson)]
pub async fn load_image_assets() -> Result<ImageAssetsOverview, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    let state = &caller.state;
    ssr::overview(&state.db, state.images.as_ref(), &state.settings.asset_policy, &seller.id).await
}

/// Releases one of the signed-in seller's private images as an image asset, after
/// checking R1–R8 again on the server.
#[server(client = crate::page_account::PageAccountClient, endpoint = "images/release", output = crate::codec::TextJson)]
pub async fn release_as_asset(image_id: String) -> Result<ImageAsset, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    ssr::release_checked(&caller.state, &seller.id, &image_id).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::store::Context;
    use super::{ImageAsset, ImageAssetsOverview};
    use crate::error::AppError;
    use crate::rules::asset::{asset_violations, AssetPolicy};
    use crate::store::{new_id, now_ms, Db};
    use crate::cloud::PrivateImageSource;

    /// The owner's images, with `released` also set for those already released as assets.
    pub async fn overview(
        db: &Db,
        source: &dyn PrivateImageSource,
        policy: &AssetPolicy,
        owner_id: &str,
    ) -> Result<ImageAssetsOverview, AppError> {
        let assets = crate::assets::ssr::list(db, owner_id).await?;
        let images = source
            .list_for_owner(owner_id)
            .await
            .context("listing private images")?
            .into_iter()
            .map(|mut image| {
                image.released |= assets.iter().any(|a| a.image_id == image.id);
                image
            })
            .collect();
        Ok(ImageAssetsOverview { images, assets, policy: policy.clone() })
    }

    /// [`release_asset`] of an image id as it came from a client (its length checked first).
    pub async fn release_checked(state: &crate::state::AppState, owner_id: &str, image_id: &str) -> Result<ImageAsset, AppError> {
        const MAX_ID_LEN: usize = 64;
        if image_id.is_empty() || image_id.len() > MAX_ID_LEN {
            return Err(AppError::BadRequest("The image id is not valid.".into()));
        }
        release_asset(&state.db, state.images.as_ref(), &state.settings.asset_policy, owner_id, image_id).await
    }

    /// Releases `image_id` as an asset of `owner_id`, or says every rule it breaks.
    pub async fn release_asset(
        db: &Db,
        source: &dyn PrivateImageSource,
        policy: &AssetPolicy,
        owner_id: &str,
        image_id: &str,
    ) -> Result<ImageAsset, AppError> {
        let mut image = source
            .find_for_owner(owner_id, image_id)
            .await
            .context("loading a private image")?
            .ok_or_else(|| AppError::NotFound("The image".into()))?;
        let assets_of_image: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM image_assets WHERE image_id = $1")
            .bind(image_id)
            .fetch_one(db)
            .await
            .context("checking for an existing asset")?;
        image.released |= assets_of_image > 0;
        let violations = asset_violations(&image, policy);
        if !violations.is_empty() {
            return Err(AppError::Rules(violations));
        }
        let asset = ImageAsset {
            id: new_id(),
            image_id: image.id.clone(),
            image_name: image.name.clone(),
            region: image.region.clone(),
            os: image.os.clone(),
            released_at: now_ms(),
            locked: false,
            reserved_for: None,
        };
        let mut tx = db.begin().await.context("starting to release an image asset")?;
        let inserted = sqlx::query(
            "INSERT INTO image_assets (id, image_id, owner_id, released_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&asset.id)
        .bind(&asset.image_id)
        .bind(owner_id)
        .bind(asset.released_at)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {
                let subject = crate::audit::ssr::Subject { asset_id: Some(&asset.id), ..Default::default() };
                let detail = format!("{} ({}, {})", asset.image_name, asset.region, asset.os);
                crate::audit::ssr::record(&mut tx, Some(owner_id), crate::audit::AuditKind::AssetReleased, subject, &detail).await?;
                tx.commit().await.context("committing an image asset")?;
                Ok(asset)
            }
            // Two requests raced past the check above; the unique index decided.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                image.released = true;
                Err(AppError::Rules(asset_violations(&image, policy)))
            }
            Err(e) => Err(crate::store::failure(e, "releasing an image asset")),
        }
    }
}
