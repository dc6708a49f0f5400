//! Which private images may be released as image assets (SPEC section 1, R1–R8).
//!
//! Every breach is reported once, by the most specific rule: a data-disk or Full-ECS image
//! is reported by R6 (not also by R2's "system disk"), and an image made from an external
//! shared or market image by R7 (not also by R2's "from a public image"). R2 then speaks
//! for images from any other origin, such as an imported image file.

use super::{Rule, RuleViolation};
use serde::{Deserialize, Serialize};

/// The largest image package that can be released: 128 GB, read as 128 × 2^30 bytes.
pub const MAX_IMAGE_PACKAGE_BYTES: i64 = 128 * (1 << 30);

/// The region assets are released from when the operator configures none.
pub const DEFAULT_ASSET_REGION: &str = "eu-dublin";

/// What kind of disk an image was made from.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiskKind {
    System,
    Data,
    FullEcs,
}

/// What a private image was created from.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImageOrigin {
    /// A public image provided by the platform.
    PublicImage,
    /// An image file the seller imported.
    ImportedFile,
    /// An image someone else shared with the seller, from outside the account.
    ExternalSharedImage,
    /// An image bought on the marketplace.
    MarketImage,
}

impl DiskKind {
    pub const ALL: [DiskKind; 3] = [DiskKind::System, DiskKind::Data, DiskKind::FullEcs];

    /// The stable name stored in the database and shown in the console.
    pub fn as_str(self) -> &'static str {
        match self {
            DiskKind::System => "system disk",
            DiskKind::Data => "data disk",
            DiskKind::FullEcs => "Full-ECS",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl ImageOrigin {
    pub const ALL: [ImageOrigin; 4] = [
        ImageOrigin::PublicImage,
        ImageOrigin::ImportedFile,
        ImageOrigin::ExternalSharedImage,
        ImageOrigin::MarketImage,
    ];

    /// The stable name stored in the database and shown in the console.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageOrigin::PublicImage => "public image",
            ImageOrigin::ImportedFile => "imported file",
            ImageOrigin::ExternalSharedImage => "external shared image",
            ImageOrigin::MarketImage => "market image",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// A private image in the seller's cloud account, as the image adapter reports it.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivateImage {
    pub id: String,
    pub name: String,
    pub region: String,
    pub os: String,
    pub size_bytes: i64,
    pub disk_kind: DiskKind,
    pub origin: ImageOrigin,
    /// Shared with this account by another account.
    pub shared: bool,
    pub encrypted: bool,
    /// Already released to the marketplace (as an asset here, or by the cloud before).
    pub released: bool,
}

impl PrivateImage {
    /// An image that breaks none of R1–R8 under the default policy: a 40 GiB Ubuntu system
    /// disk made from a public image in eu-dublin, not shared, encrypted or released. Demo
    /// data, tests and benchmarks start from it and change what they need.
    pub fn eligible(id: &str, name: &str) -> PrivateImage {
        PrivateImage {
            id: id.to_owned(),
            name: name.to_owned(),
            region: "eu-dublin".to_owned(),
            os: "Ubuntu 22.04".to_owned(),
            size_bytes: 40 << 30,
            disk_kind: DiskKind::System,
            origin: ImageOrigin::PublicImage,
            shared: false,
            encrypted: false,
            released: false,
        }
    }
}

/// The operator's settings that the asset rules depend on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetPolicy {
    /// Regions images may be released from (R1).
    pub regions: Vec<String>,
}

impl Default for AssetPolicy {
    fn default() -> Self {
        Self { regions: vec![DEFAULT_ASSET_REGION.to_owned()] }
    }
}

/// Every rule among R1–R8 that keeps `image` from being released as an asset; empty
/// when it may be released.
pub fn asset_violations(image: &PrivateImage, policy: &AssetPolicy) -> Vec<RuleViolation> {
    let mut found = Vec::new();
    if !policy.regions.iter().any(|r| r == &image.region) {
        found.push(RuleViolation::new(
            Rule::R1,
            "region",
            format!(
                "The image is in {}; images can be released only from {}.",
                image.region,
                policy.regions.join(", ")
            ),
        ));
    }
    if image.origin == ImageOrigin::ImportedFile {
        found.push(RuleViolation::new(
            Rule::R2,
            "origin",
            "Only system disk images created from a public image of the platform can be released.",
        ));
    }
    if image.shared {
        found.push(RuleViolation::new(Rule::R3, "shared", "Shared images cannot be released."));
    }
    if image.encrypted {
        found.push(RuleViolation::new(Rule::R4, "encrypted", "Encrypted images cannot be released."));
    }
    if image.released {
        found.push(RuleViolation::new(Rule::R5, "released", "This image has already been released."));
    }
    match image.disk_kind {
        DiskKind::System => {}
        DiskKind::Data => found.push(RuleViolation::new(
            Rule::R6,
            "disk_kind",
            "Data disk images cannot be released; only system disk images can.",
        )),
        DiskKind::FullEcs => found.push(RuleViolation::new(
            Rule::R6,
            "disk_kind",
            "Full-ECS images cannot be released; only system disk images can.",
        )),
    }
    match image.origin {
        ImageOrigin::ExternalSharedImage => found.push(RuleViolation::new(
            Rule::R7,
            "origin",
            "Images made from an external shared image cannot be released.",
        )),
        ImageOrigin::MarketImage => found.push(RuleViolation::new(
            Rule::R7,
            "origin",
            "Images made from a market image cannot be released.",
        )),
        ImageOrigin::PublicImage | ImageOrigin::ImportedFile => {}
    }
    if image.size_bytes > MAX_IMAGE_PACKAGE_BYTES {
        found.push(RuleViolation::new(
            Rule::R8,
            "size",
            format!(
                "The image package is {}; it can be at most 128 GB.",
                format_size(image.size_bytes)
            ),
        ));
    }
    found
}

/// A size in bytes as the console shows it, in GB of 2^30 bytes.
pub fn format_size(bytes: i64) -> String {
    let gib = bytes as f64 / (1u64 << 30) as f64;
    if bytes % (1 << 30) == 0 {
        format!("{} GB", bytes >> 30)
    } else {
        format!("{gib:.2} GB")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eligible() -> PrivateImage {
        PrivateImage::eligible("img-1", "web")
    }

    fn rules_broken(image: &PrivateImage) -> Vec<Rule> {
        asset_violations(image, &AssetPolicy::default()).iter().map(|v| v.rule).collect()
    }

    #[test]
    fn a_system_disk_image_from_a_public_image_in_dublin_is_eligible() {
        assert_eq!(rules_broken(&eligible()), vec![]);
    }

    #[test]
    fn r1_an_image_outside_the_asset_region_is_refused() {
        let image = PrivateImage { region: "ap-singapore".into(), ..eligible() };
        let violations = asset_violations(&image, &AssetPolicy::default());
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].rule, Rule::R1);
        assert!(violations[0].message.contains("ap-singapore"));
        assert!(violations[0].message.contains("eu-dublin"));
    }

    #[test]
    fn r1_the_asset_regions_are_configurable() {
        let image = PrivateImage { region: "ap-singapore".into(), ..eligible() };
        let policy = AssetPolicy { regions: vec!["eu-dublin".into(), "ap-singapore".into()] };
        assert!(asset_violations(&image, &policy).is_empty());
    }

    #[test]
    fn r2_an_image_not_created_from_a_public_image_is_refused() {
        let image = PrivateImage { origin: ImageOrigin::ImportedFile, ..eligible() };
        assert_eq!(rules_broken(&image), vec![Rule::R2]);
    }

    #[test]
    fn r3_a_shared_image_is_refused() {
        let image = PrivateImage { shared: true, ..eligible() };
        assert_eq!(rules_broken(&image), vec![Rule::R3]);
    }

    #[test]
    fn r4_an_encrypted_image_is_refused() {
        let image = PrivateImage { encrypted: true, ..eligible() };
        assert_eq!(rules_broken(&image), vec![Rule::R4]);
    }

    #[test]
    fn r5_an_already_released_image_is_refused() {
        let image = PrivateImage { released: true, ..eligible() };
        assert_eq!(rules_broken(&image), vec![Rule::R5]);
    }

    #[test]
    fn r6_full_ecs_and_data_disk_images_are_refused() {
        let full = PrivateImage { disk_kind: DiskKind::FullEcs, ..eligible() };
        let data = PrivateImage { disk_kind: DiskKind::Data, ..eligible() };
        assert_eq!(rules_broken(&full), vec![Rule::R6]);
        assert_eq!(rules_broken(&data), vec![Rule::R6]);
        assert!(asset_violations(&full, &AssetPolicy::default())[0].message.contains("Full-ECS"));
    }

    #[test]
    fn r7_images_from_external_shared_or_market_images_are_refused() {
        let external = PrivateImage { origin: ImageOrigin::ExternalSharedImage, ..eligible() };
        let market = PrivateImage { origin: ImageOrigin::MarketImage, ..eligible() };
        assert_eq!(rules_broken(&external), vec![Rule::R7]);
        assert_eq!(rules_broken(&market), vec![Rule::R7]);
    }

    #[test]
    fn r8_an_image_of_exactly_128_gb_is_allowed() {
        let image = PrivateImage { size_bytes: MAX_IMAGE_PACKAGE_BYTES, ..eligible() };
        assert_eq!(rules_broken(&image), vec![]);
    }

    #[test]
    fn r8_an_image_one_byte_over_128_gb_is_refused() {
        let image = PrivateImage { size_bytes: MAX_IMAGE_PACKAGE_BYTES + 1, ..eligible() };
        assert_eq!(rules_broken(&image), vec![Rule::R8]);
        assert_eq!(MAX_IMAGE_PACKAGE_BYTES, 137_438_953_472);
    }

    #[test]
    fn every_broken_rule_is_reported_at_once() {
        let image = PrivateImage {
            region: "cn-north".into(),
            shared: true,
            encrypted: true,
            released: true,
            disk_kind: DiskKind::FullEcs,
            origin: ImageOrigin::MarketImage,
            size_bytes: 200 << 30,
            ..eligible()
        };
        assert_eq!(
            rules_broken(&image),
            vec![Rule::R1, Rule::R3, Rule::R4, Rule::R5, Rule::R6, Rule::R7, Rule::R8]
        );
    }

    #[test]
    fn stored_names_of_kinds_and_origins_round_trip() {
        for kind in DiskKind::ALL {
            assert_eq!(DiskKind::parse(kind.as_str()), Some(kind));
        }
        for origin in ImageOrigin::ALL {
            assert_eq!(ImageOrigin::parse(origin.as_str()), Some(origin));
        }
        assert_eq!(DiskKind::parse("floppy"), None);
    }

    #[test]
    fn sizes_are_shown_in_gb() {
        assert_eq!(format_size(128 << 30), "128 GB");
        assert_eq!(format_size((128 << 30) + (1 << 29)), "128.50 GB");
    }
}
