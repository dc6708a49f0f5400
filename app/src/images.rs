//! Private images and image assets (SPEC section 1): what the Image Assets page shows,
//! and releasing a private image as an asset.

use crate::error::AppError;
use crate::rules::asset::{AssetPolicy, PrivateImage};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A private image that has been released as an image asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageAsset {
    pub id: String,
    pub image_id: String,
    pub image_name: String,
    pub region: String,
    pub os: String,
    pub released_at: i64,
    /// Locked by a released product: it cannot deploy a VM or go into another product (R52).
    #[serde(default)]
    pub locked: bool,
}

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
#[server(endpoint = "images/overview")]
pub async fn load_image_assets() -> Result<ImageAssetsOverview, AppError> {
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    let state = &caller.state;
    ssr::overview(&state.db, state.images.as_ref(), &state.settings.asset_policy, &seller.id).await
}

/// Releases one of the signed-in seller's private images as an image asset, after
/// checking R1–R8 again on the server.
#[server(endpoint = "images/release")]
pub async fn release_as_asset(image_id: String) -> Result<ImageAsset, AppError> {
    const MAX_ID_LEN: usize = 64;
    let (caller, seller) = crate::auth::ssr::Caller::seller().await?;
    if image_id.is_empty() || image_id.len() > MAX_ID_LEN {
        return Err(AppError::BadRequest("The image id is not valid.".into()));
    }
    let state = &caller.state;
    ssr::release_asset(
        &state.db,
        state.images.as_ref(),
        &state.settings.asset_policy,
        &seller.id,
        &image_id,
    )
    .await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{ImageAsset, ImageAssetsOverview};
    use crate::error::{ssr::db_error, AppError};
    use crate::rules::asset::{asset_violations, AssetPolicy, DiskKind, ImageOrigin, PrivateImage};
    use crate::state::{new_id, now_ms, Db};
    use sqlx::Row;
    use std::future::Future;
    use std::pin::Pin;

    pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

    /// The adapter through which the console reads a seller's private images. The local
    /// implementation is the database ([`DatabaseImages`]); a cloud image service plugs in
    /// behind the same trait.
    pub trait PrivateImageSource: Send + Sync {
        /// The owner's private images, newest first. `released` is the cloud's own flag.
        fn list_for_owner<'a>(&'a self, owner_id: &'a str) -> BoxFuture<'a, Result<Vec<PrivateImage>, sqlx::Error>>;
        /// One of the owner's private images; `None` for an unknown id or another owner's image.
        fn find_for_owner<'a>(
            &'a self,
            owner_id: &'a str,
            image_id: &'a str,
        ) -> BoxFuture<'a, Result<Option<PrivateImage>, sqlx::Error>>;
        /// Starts a VM from `image_id` for `account_id` in `region`: the cloud call. Returns
        /// the deployment's id. Who may deploy what is decided before this is called.
        fn deploy_vm<'a>(
            &'a self,
            account_id: &'a str,
            image_id: &'a str,
            region: &'a str,
            purchase_id: Option<&'a str>,
        ) -> BoxFuture<'a, Result<String, sqlx::Error>>;
    }

    /// Private images kept in the `private_images` table.
    pub struct DatabaseImages {
        pub db: Db,
    }

    const IMAGE_COLUMNS: &str =
        "id, name, region, os, size_bytes, disk_kind, origin, shared, encrypted, released";

    impl PrivateImageSource for DatabaseImages {
        /// Locally, a deployment is a row in `deployments`.
        fn deploy_vm<'a>(
            &'a self,
            account_id: &'a str,
            image_id: &'a str,
            region: &'a str,
            purchase_id: Option<&'a str>,
        ) -> BoxFuture<'a, Result<String, sqlx::Error>> {
            Box::pin(async move {
                let id = crate::state::new_id();
                sqlx::query(
                    "INSERT INTO deployments (id, account_id, image_id, purchase_id, region, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&id)
                .bind(account_id)
                .bind(image_id)
                .bind(purchase_id)
                .bind(region)
                .bind(crate::state::now_ms())
                .execute(&self.db)
                .await?;
                Ok(id)
            })
        }

        fn list_for_owner<'a>(&'a self, owner_id: &'a str) -> BoxFuture<'a, Result<Vec<PrivateImage>, sqlx::Error>> {
            Box::pin(async move {
                sqlx::query(&format!(
                    "SELECT {IMAGE_COLUMNS} FROM private_images WHERE owner_id = $1 ORDER BY created_at DESC, name"
                ))
                .bind(owner_id)
                .fetch_all(&self.db)
                .await?
                .iter()
                .map(image_from_row)
                .collect()
            })
        }

        fn find_for_owner<'a>(
            &'a self,
            owner_id: &'a str,
            image_id: &'a str,
        ) -> BoxFuture<'a, Result<Option<PrivateImage>, sqlx::Error>> {
            Box::pin(async move {
                sqlx::query(&format!(
                    "SELECT {IMAGE_COLUMNS} FROM private_images WHERE owner_id = $1 AND id = $2"
                ))
                .bind(owner_id)
                .bind(image_id)
                .fetch_optional(&self.db)
                .await?
                .as_ref()
                .map(image_from_row)
                .transpose()
            })
        }
    }

    fn image_from_row(row: &sqlx::any::AnyRow) -> Result<PrivateImage, sqlx::Error> {
        let disk_kind: String = row.try_get("disk_kind")?;
        let origin: String = row.try_get("origin")?;
        let flag = |name: &str| row.try_get::<i64, _>(name).map(|v| v != 0);
        Ok(PrivateImage {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            region: row.try_get("region")?,
            os: row.try_get("os")?,
            size_bytes: row.try_get("size_bytes")?,
            disk_kind: DiskKind::parse(&disk_kind)
                .ok_or_else(|| sqlx::Error::Decode(format!("unknown disk kind {disk_kind:?}").into()))?,
            origin: ImageOrigin::parse(&origin)
                .ok_or_else(|| sqlx::Error::Decode(format!("unknown image origin {origin:?}").into()))?,
            shared: flag("shared")?,
            encrypted: flag("encrypted")?,
            released: flag("released")?,
        })
    }

    /// Adds a private image to the local image store (demo data and tests).
    pub async fn insert_private_image(db: &Db, owner_id: &str, image: &PrivateImage) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO private_images \
             (id, owner_id, name, region, os, size_bytes, disk_kind, origin, shared, encrypted, released, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&image.id)
        .bind(owner_id)
        .bind(&image.name)
        .bind(&image.region)
        .bind(&image.os)
        .bind(image.size_bytes)
        .bind(image.disk_kind.as_str())
        .bind(image.origin.as_str())
        .bind(image.shared as i64)
        .bind(image.encrypted as i64)
        .bind(image.released as i64)
        .bind(now_ms())
        .execute(db)
        .await?;
        Ok(())
    }

    pub async fn list_assets(db: &Db, owner_id: &str) -> Result<Vec<ImageAsset>, sqlx::Error> {
        sqlx::query(
            "SELECT a.id, a.image_id, i.name, i.region, i.os, a.released_at, a.locked FROM image_assets a \
             JOIN private_images i ON i.id = a.image_id \
             WHERE a.owner_id = $1 ORDER BY a.released_at DESC",
        )
        .bind(owner_id)
        .fetch_all(db)
        .await?
        .iter()
        .map(|row| {
            Ok(ImageAsset {
                id: row.try_get("id")?,
                image_id: row.try_get("image_id")?,
                image_name: row.try_get("name")?,
                region: row.try_get("region")?,
                os: row.try_get("os")?,
                released_at: row.try_get("released_at")?,
                locked: row.try_get::<i32, _>("locked")? != 0,
            })
        })
        .collect()
    }

    /// The owner's images, with `released` also set for those already released as assets.
    pub async fn overview(
        db: &Db,
        source: &dyn PrivateImageSource,
        policy: &AssetPolicy,
        owner_id: &str,
    ) -> Result<ImageAssetsOverview, AppError> {
        let assets = list_assets(db, owner_id).await.map_err(db_error("listing image assets"))?;
        let images = source
            .list_for_owner(owner_id)
            .await
            .map_err(db_error("listing private images"))?
            .into_iter()
            .map(|mut image| {
                image.released |= assets.iter().any(|a| a.image_id == image.id);
                image
            })
            .collect();
        Ok(ImageAssetsOverview { images, assets, policy: policy.clone() })
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
            .map_err(db_error("loading a private image"))?
            .ok_or_else(|| AppError::NotFound("The image".into()))?;
        let assets_of_image: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM image_assets WHERE image_id = $1")
            .bind(image_id)
            .fetch_one(db)
            .await
            .map_err(db_error("checking for an existing asset"))?;
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
        };
        let inserted = sqlx::query(
            "INSERT INTO image_assets (id, image_id, owner_id, released_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&asset.id)
        .bind(&asset.image_id)
        .bind(owner_id)
        .bind(asset.released_at)
        .execute(db)
        .await;
        match inserted {
            Ok(_) => Ok(asset),
            // Two requests raced past the check above; the unique index decided.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                image.released = true;
                Err(AppError::Rules(asset_violations(&image, policy)))
            }
            Err(e) => Err(db_error("releasing an image asset")(e)),
        }
    }
}
