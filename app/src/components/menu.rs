//! A row's **More** menu: a button that opens a list of operations, usable by keyboard as
//! a menu button is expected to be (WAI-ARIA menu button): Enter, Space or ↓ open it on
//! the first item and ↑ on the last; ↑ ↓ Home End move; Escape closes it and gives the
//! focus back to the button. It closes whenever the focus leaves it: Tab, or a click
//! anywhere outside.

use leptos::html::Div;
use leptos::prelude::*;

#[derive(Clone)]
pub enum MenuItem {
    Link { label: String, href: String },
    Action { label: String, run: Callback<()> },
}

#[component]
pub fn MoreMenu(
    /// Names the menu for assistive technology, e.g. "More for Postgres".
    label: String,
    items: Vec<MenuItem>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let container = NodeRef::<Div>::new();
    let focus_item = move |pick: &dyn Fn(usize, Option<usize>) -> usize| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(root) = container.get() else { return };
            let Ok(list) = root.query_selector_all("[role=menuitem]") else { return };
            let count = list.length() as usize;
            if count == 0 {
                return;
            }
            let active = leptos::prelude::document().active_element();
            let current = (0..count).find(|i| list.item(*i as u32).map(|n| Some(n.unchecked_into::<web_sys::Element>()) == active).unwrap_or(false));
            if let Some(node) = list.item(pick(count, current) as u32) {
                let _ = node.unchecked_into::<web_sys::HtmlElement>().focus();
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (pick, container);
    };
    let focus_button = move || {
        #[cfg(feature = "hydrate")]
        if let Some(button) = container.get().and_then(|root| root.query_selector("button.menu-button").ok().flatten()) {
            use wasm_bindgen::JsCast;
            let _ = button.unchecked_into::<web_sys::HtmlElement>().focus();
        }
    };
    // The list is drawn on the next frame; the item is focused then. A key pressed on the
    // button before that frame (↓ then ↑ quickly) is still handled by the button.
    let open_on = move |last: bool| {
        open.set(true);
        request_animation_frame(move || focus_item(&|n, _| if last { n - 1 } else { 0 }));
    };
    let on_button_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" | "Enter" | " " => {
            ev.prevent_default();
            open_on(false);
        }
        "ArrowUp" => {
            ev.prevent_default();
            open_on(true);
        }
        _ => {}
    };
    let on_menu_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" => {
            ev.prevent_default();
            focus_item(&|n, c| c.map_or(0, |c| (c + 1) % n));
        }
        "ArrowUp" => {
            ev.prevent_default();
            focus_item(&|n, c| c.map_or(n - 1, |c| (c + n - 1) % n));
        }
        "Home" => {
            ev.prevent_default();
            focus_item(&|_, _| 0);
        }
        "End" => {
            ev.prevent_default();
            focus_item(&|n, _| n - 1);
        }
        "Escape" => {
            ev.prevent_default();
            open.set(false);
            focus_button();
        }
        // Shift+Tab lands on the menu's own button, which is not "leaving" it.
        "Tab" => open.set(false),
        _ => {}
    };
    // Focus leaving the menu and its button (Tab, or a click elsewhere on the page, which
    // moves the focus there or to the body) closes it.
    let on_focus_out = move |ev: leptos::ev::FocusEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let to = ev.related_target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
            let inside = container.get().zip(to).is_some_and(|(root, to)| root.contains(Some(&to)));
            if !inside {
                open.set(false);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let items = StoredValue::new(items);
    view! {
        <div class="menu" node_ref=container on:focusout=on_focus_out>
            <button type="button" class="menu-button" aria-haspopup="menu" aria-label=label.clone()
                aria-expanded=move || open.get().to_string()
                on:click=move |_| if open.get_untracked() { open.set(false) } else { open_on(false) }
                on:keydown=on_button_key>
                "More"
            </button>
            <Show when=move || open.get()>
                <ul role="menu" aria-label=label.clone() on:keydown=on_menu_key>
                    {items.get_value().into_iter().map(|item| match item {
                        MenuItem::Link { label, href } => view! {
                            <li role="none"><a role="menuitem" tabindex="-1" href=href>{label}</a></li>
                        }.into_any(),
                        MenuItem::Action { label, run } => view! {
                            <li role="none">
                                <button type="button" role="menuitem" tabindex="-1" on:click=move |_| {
                                    open.set(false);
                                    run.run(());
                                }>{label}</button>
                            </li>
                        }.into_any(),
                    }).collect_view()}
                </ul>
            </Show>
        </div>
    }
}
