//! Image Assets: the seller's private images, which of them can be released as assets
//! (and why not, rule by rule), and the assets released so far.

use crate::components::rule_message::ViolationList;
use crate::components::{empty_state::EmptyState, loaded::{loaded, Failed}, time::format_utc};
use crate::error::AppError;
use crate::images::{load_image_assets, ImageAssetsOverview, ReleaseAsAsset};
use crate::rules::asset::{asset_violations, format_size, PrivateImage};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ImageAssetsPage() -> impl IntoView {
    view! {
        <Title text="Image Assets · Seller Console" />
        <h1>"Image Assets"</h1>
        <p class="lead">
            "A product is released from an image asset. Release a private image as an asset if it is a system disk image created from a public image, in an asset region, at most 128 GB, and not shared, encrypted or already released."
        </p>
        {loaded(load_image_assets(), |overview| view! { <ImageAssetsView overview /> })}
    }
}

/// The assets and private images, with *Release as asset* and *Deploy VM*: an island, so
/// each operation answers in place. After a release the overview is asked again.
#[cfg_attr(not(feature = "wizard-only"), island(lazy))]
#[cfg_attr(feature = "wizard-only", component)]
fn ImageAssetsView(overview: ImageAssetsOverview) -> impl IntoView {
    crate::components::island::mark();
    let release = ServerAction::<ReleaseAsAsset>::new();
    let deploy = ServerAction::<crate::purchases::DeployImage>::new();
    provide_context(deploy);
    let overview = RwSignal::new(overview);
    Effect::new(move |_| {
        if let Some(Ok(_)) = release.value().get() {
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = load_image_assets().await {
                    overview.set(fresh);
                }
            });
        }
    });
    view! {
        <ReleaseOutcome release />
        {move || deploy.value().get().map(|r| match r {
            Ok(_) => view! { <p class="notice success" role="status">"A VM is being deployed from this image."</p> }.into_any(),
            Err(error) => view! { <Failed error id="deploy-error" /> }.into_any(),
        })}
        {move || view! { <Overview overview=overview.get() release /> }}
    }
}

/// The result of the last "Release as asset": a confirmation, or every reason it failed.
#[component]
fn ReleaseOutcome(release: ServerAction<ReleaseAsAsset>) -> impl IntoView {
    // The pressed button leaves with its row's old state: the outcome takes the focus, so a
    // keyboard user is not sent back to the top of the page.
    let said = NodeRef::<leptos::html::P>::new();
    Effect::new(move || {
        if let (Some(Ok(_)), Some(p)) = (release.value().get(), said.get()) {
            let _ = p.focus();
        }
    });
    move || match release.value().get() {
        Some(Ok(asset)) => view! {
            <p class="notice success" role="status" tabindex="-1" node_ref=said>
                {format!("{} is now an image asset. Build a product on it with ", asset.image_name)}
                <a href="/console/products/new">"Release New Product"</a>
                ", or go on with a draft from "
                <a href="/console/drafts">"Drafts"</a>
                "."
            </p>
        }
        .into_any(),
        Some(Err(error)) => view! { <ReleaseError error /> }.into_any(),
        None => ().into_any(),
    }
}

#[component]
fn ReleaseError(error: AppError) -> impl IntoView {
    let violations = error.violations().to_vec();
    view! {
        <div class="notice error" role="alert">
            <p>"The image could not be released as an asset."</p>
            {if violations.is_empty() {
                view! { <p>{error.to_string()}</p> }.into_any()
            } else {
                view! { <ViolationList violations /> }.into_any()
            }}
        </div>
    }
}

#[component]
fn Overview(overview: ImageAssetsOverview, release: ServerAction<ReleaseAsAsset>) -> impl IntoView {
    let assets = overview.assets.clone();
    let rows = overview
        .images
        .iter()
        .map(|image| {
            let is_asset = overview.asset_of(&image.id).is_some();
            let locked = overview.asset_of(&image.id).is_some_and(|a| a.locked);
            let violations = if is_asset { Vec::new() } else { asset_violations(image, &overview.policy) };
            view! { <ImageRow image=image.clone() is_asset locked violations release /> }
        })
        .collect_view();
    view! {
        <section aria-labelledby="assets-heading">
            <h2 id="assets-heading">"Your image assets"</h2>
            {if assets.is_empty() {
                view! {
                    <p class="muted">"No image assets yet. Release an eligible private image below."</p>
                }
                .into_any()
            } else {
                view! {
                    <table class="data" aria-labelledby="assets-heading">
                        <thead><tr><th>"Image"</th><th>"Region"</th><th>"OS"</th><th>"Released"</th><th>"State"</th></tr></thead>
                        <tbody>
                            {assets
                                .into_iter()
                                .map(|a| view! {
                                    <tr>
                                        <td class="free-text">{a.image_name}</td>
                                        <td>{a.region}</td>
                                        <td>{a.os}</td>
                                        <td>{format_utc(a.released_at)}</td>
                                        <td>{match (a.locked, a.reserved_for) {
                                            (true, _) => view! { <span class="badge blocked">"Locked"</span> <p class="hint">"Released in a product. It cannot deploy a VM or go into another product; purchase the product from the marketplace to use it."</p> }.into_any(),
                                            (false, Some(product)) => view! {
                                                <span class="badge pending">"Reserved"</span>
                                                <p class="hint">{format!("In the release request for {product}: it goes into no other product meanwhile, is locked if that product is approved, and is free again if the request is rejected or withdrawn.")}</p>
                                            }.into_any(),
                                            (false, None) => view! { <span class="badge ok">"Unlocked"</span> }.into_any(),
                                        }}</td>
                                    </tr>
                                })
                                .collect_view()}
                        </tbody>
                    </table>
                }
                .into_any()
            }}
        </section>
        <section aria-labelledby="images-heading">
            <h2 id="images-heading">"Private images"</h2>
            {if overview.images.is_empty() {
                view! {
                    <EmptyState
                        title="No private images"
                        body="Create a private image in your cloud account from a public image in the eu-dublin region; it will be listed here."
                    />
                }
                .into_any()
            } else {
                view! {
                    <table class="data" aria-labelledby="images-heading">
                        <thead>
                            <tr>
                                <th>"Name"</th><th>"Region"</th><th>"OS"</th><th>"Size"</th>
                                <th>"Disk"</th><th>"Created from"</th><th>"Can it be released?"</th><th>"Operation"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
fn ImageRow(
    image: PrivateImage,
    is_asset: bool,
    locked: bool,
    violations: Vec<crate::rules::RuleViolation>,
    release: ServerAction<ReleaseAsAsset>,
) -> impl IntoView {
    let mut flags = Vec::new();
    if image.shared {
        flags.push("shared");
    }
    if image.encrypted {
        flags.push("encrypted");
    }
    let deploy = expect_context::<ServerAction<crate::purchases::DeployImage>>();
    let deploy_id = image.id.clone();
    let deploy_label = format!("Deploy VM from {}", image.name);
    let verdict = if is_asset {
        view! {
            <span class="badge ok">"Image asset"</span>
            {locked.then(|| view! { " " <span class="badge blocked">"Locked"</span> })}
        }.into_any()
    } else if violations.is_empty() {
        let id = image.id.clone();
        // Named with its image, as Deploy VM is: a list of the page's buttons tells them apart.
        let release_label = format!("Release as asset: {}", image.name);
        view! {
            <ActionForm action=release>
                <input type="hidden" name="image_id" value=id />
                <button type="submit" class="button primary" aria-label=release_label aria-disabled=move || release.pending().get().then_some("true")
                    on:click=move |ev| if release.pending().get_untracked() { ev.prevent_default() }>
                    "Release as asset"
                </button>
            </ActionForm>
        }
        .into_any()
    } else {
        view! {
            <span class="badge blocked">"Cannot be released"</span>
            <ViolationList violations />
        }
        .into_any()
    };
    view! {
        <tr>
            <th scope="row">
                {image.name}
                {(!flags.is_empty()).then(|| view! { <span class="muted">{format!(" ({})", flags.join(", "))}</span> })}
            </th>
            <td>{image.region}</td>
            <td>{image.os}</td>
            <td class="nowrap">{format_size(image.size_bytes)}</td>
            <td>{image.disk_kind.as_str()}</td>
            <td>{image.origin.as_str()}</td>
            <td>{verdict}</td>
            // aria-disabled while deploying: the button keeps the focus.
            <td><button type="button" aria-label=deploy_label aria-disabled=move || deploy.pending().get().then_some("true")
                on:click=move |_| if !deploy.pending().get_untracked() {
                    deploy.dispatch(crate::purchases::DeployImage { image_id: deploy_id.clone() });
                }>"Deploy VM"</button></td>
        </tr>
    }
}
