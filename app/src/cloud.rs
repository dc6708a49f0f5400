//! The seller's cloud account, as the console sees it: private images and starting VMs.
//!
//! Everything goes through one adapter, [`PrivateImageSource`]. Its local implementation is
//! the database ([`DatabaseImages`]); a real cloud image service plugs in behind the same
//! trait. Who may deploy what (the lock, R52) is decided before the adapter is called.

use crate::rules::asset::{DiskKind, ImageOrigin, PrivateImage};
use crate::store::{new_id, now_ms, Db};
use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The adapter through which the console reads a seller's private images and starts VMs.
pub trait PrivateImageSource: Send + Sync {
    /// The owner's private images, newest first. `released` is the cloud's own flag.
    fn list_for_owner<'a>(&'a self, owner_id: &'a str) -> BoxFuture<'a, Result<Vec<PrivateImage>, sqlx::Error>>;
    /// One of the owner's private images; `None` for an unknown id or another owner's image.
    fn find_for_owner<'a>(&'a self, owner_id: &'a str, image_id: &'a str) -> BoxFuture<'a, Result<Option<PrivateImage>, sqlx::Error>>;
    /// Starts a VM from `image_id` for `account_id` in `region`: the cloud call. Returns the
    /// deployment's id.
    fn deploy_vm<'a>(
        &'a self,
        account_id: &'a str,
        image_id: &'a str,
        region: &'a str,
        purchase_id: Option<&'a str>,
    ) -> BoxFuture<'a, Result<String, sqlx::Error>>;
}

/// Private images kept in the `private_images` table; a deployment is a row in `deployments`.
pub struct DatabaseImages {
    pub db: Db,
}

/// A row of `private_images`, as stored (flags as 0/1, kinds as text).
#[derive(sqlx::FromRow)]
struct ImageRow {
    id: String,
    name: String,
    region: String,
    os: String,
    size_bytes: i64,
    disk_kind: String,
    origin: String,
    shared: i64,
    encrypted: i64,
    released: i64,
}

impl TryFrom<ImageRow> for PrivateImage {
    type Error = sqlx::Error;

    fn try_from(row: ImageRow) -> Result<Self, Self::Error> {
        let unknown = |what: &str, value: &str| sqlx::Error::Decode(format!("unknown {what} {value:?}").into());
        Ok(PrivateImage {
            disk_kind: DiskKind::parse(&row.disk_kind).ok_or_else(|| unknown("disk kind", &row.disk_kind))?,
            origin: ImageOrigin::parse(&row.origin).ok_or_else(|| unknown("image origin", &row.origin))?,
            id: row.id,
            name: row.name,
            region: row.region,
            os: row.os,
            size_bytes: row.size_bytes,
            shared: row.shared != 0,
            encrypted: row.encrypted != 0,
            released: row.released != 0,
        })
    }
}

const IMAGE_COLUMNS: &str = "id, name, region, os, size_bytes, disk_kind, origin, shared, encrypted, released";

impl PrivateImageSource for DatabaseImages {
    fn list_for_owner<'a>(&'a self, owner_id: &'a str) -> BoxFuture<'a, Result<Vec<PrivateImage>, sqlx::Error>> {
        Box::pin(async move {
            let rows: Vec<ImageRow> =
                sqlx::query_as(&format!("SELECT {IMAGE_COLUMNS} FROM private_images WHERE owner_id = $1 ORDER BY created_at DESC, name"))
                    .bind(owner_id)
                    .fetch_all(&self.db)
                    .await?;
            rows.into_iter().map(PrivateImage::try_from).collect()
        })
    }

    fn find_for_owner<'a>(&'a self, owner_id: &'a str, image_id: &'a str) -> BoxFuture<'a, Result<Option<PrivateImage>, sqlx::Error>> {
        Box::pin(async move {
            let row: Option<ImageRow> =
                sqlx::query_as(&format!("SELECT {IMAGE_COLUMNS} FROM private_images WHERE owner_id = $1 AND id = $2"))
                    .bind(owner_id)
                    .bind(image_id)
                    .fetch_optional(&self.db)
                    .await?;
            row.map(PrivateImage::try_from).transpose()
        })
    }

    fn deploy_vm<'a>(
        &'a self,
        account_id: &'a str,
        image_id: &'a str,
        region: &'a str,
        purchase_id: Option<&'a str>,
    ) -> BoxFuture<'a, Result<String, sqlx::Error>> {
        Box::pin(async move {
            let id = new_id();
            sqlx::query(
                "INSERT INTO deployments (id, account_id, image_id, purchase_id, region, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(account_id)
            .bind(image_id)
            .bind(purchase_id)
            .bind(region)
            .bind(now_ms())
            .execute(&self.db)
            .await?;
            Ok(id)
        })
    }
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
