//! A row's **More** menu: a button that opens a list of operations, usable by keyboard as
//! a menu button is expected to be (WAI-ARIA menu button): Enter, Space or ↓ open it on
//! the first item and ↑ on the last; ↑ ↓ Home End move; Escape closes it and gives the
//! focus back to the button. It closes whenever the focus leaves it: Tab, or a click
//! anywhere outside.

use leptos::prelude::*;

#[derive(Clone)]
pub enum MenuItem {
    Link { label: String, href: String },
    Action { label: String, run: Callback<()> },
}

/// Each More menu is drawn once per row of a list that may be long, so it holds as little as
/// it can on the server: one signal; the element its handlers work on is found from their
/// event, not kept in a node reference; the list is drawn by a plain closure.
#[component]
pub fn MoreMenu(
    /// Names the menu for assistive technology, e.g. "More for Postgres".
    label: String,
    /// The operations, asked for each time the menu opens (so the server, which never
    /// opens it, does not build them for every row).
    items: std::sync::Arc<dyn Fn() -> Vec<MenuItem> + Send + Sync>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    // The list is drawn on the next frame; the item is focused then. A key pressed on the
    // button before that frame (↓ then ↑ quickly) is still handled by the button.
    let open_on = move |menu: Option<dom::Menu>, last: bool| {
        open.set(true);
        request_animation_frame(move || {
            if let Some(menu) = menu {
                dom::focus_item(&menu, &|n, _| if last { n - 1 } else { 0 });
            }
        });
    };
    let on_button_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "ArrowDown" | "Enter" | " " => {
            ev.prevent_default();
            open_on(dom::menu_of(&ev), false);
        }
        "ArrowUp" => {
            ev.prevent_default();
            open_on(dom::menu_of(&ev), true);
        }
        _ => {}
    };
    let on_menu_key = move |ev: leptos::ev::KeyboardEvent| {
        let pick: &dyn Fn(usize, Option<usize>) -> usize = match ev.key().as_str() {
            "ArrowDown" => &|n, c| c.map_or(0, |c| (c + 1) % n),
            "ArrowUp" => &|n, c| c.map_or(n - 1, |c| (c + n - 1) % n),
            "Home" => &|_, _| 0,
            "End" => &|n, _| n - 1,
            "Escape" => {
                ev.prevent_default();
                open.set(false);
                if let Some(menu) = dom::menu_of(&ev) {
                    dom::focus_button(&menu);
                }
                return;
            }
            // Shift+Tab lands on the menu's own button, which is not "leaving" it.
            "Tab" => return open.set(false),
            _ => return,
        };
        ev.prevent_default();
        if let Some(menu) = dom::menu_of(&ev) {
            dom::focus_item(&menu, pick);
        }
    };
    // Focus leaving the menu and its button (Tab, or a click elsewhere on the page, which
    // moves the focus there or to the body) closes it.
    let on_focus_out = move |ev: leptos::ev::FocusEvent| {
        if !dom::focus_stays_in(&ev) {
            open.set(false);
        }
    };
    let list_label = label.clone();
    let list = move || {
        open.get().then(|| {
            view! {
                <ul role="menu" aria-label=list_label.clone() on:keydown=on_menu_key>
                    // Asked without tracking: the list is drawn when the menu opens and
                    // stays as it is while open (a change to the items would redraw it and
                    // drop the focus from the item the seller is on).
                    {untrack(|| items()).into_iter().map(|item| match item {
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
            }
        })
    };
    view! {
        <div class="menu" on:focusout=on_focus_out>
            <button type="button" class="menu-button" aria-haspopup="menu" aria-label=label
                aria-expanded=move || if open.get() { "true" } else { "false" }
                on:click=move |ev| if open.get_untracked() { open.set(false) } else { open_on(dom::menu_of(&ev), false) }
                on:keydown=on_button_key>
                "More"
            </button>
            {list}
        </div>
    }
}

/// The page's side of a menu, in the browser. The server draws menus but never runs their
/// handlers, so there it finds no menu.
#[cfg(feature = "hydrate")]
mod dom {
    use wasm_bindgen::JsCast;
    use web_sys::{Element, Event, FocusEvent, HtmlElement, Node};

    pub type Menu = Element;

    /// The menu (`div.menu`) holding the element `ev` happened on (its target, which every
    /// way of dispatching gives, where `currentTarget` is lost to delegated events).
    pub fn menu_of(ev: &Event) -> Option<Menu> {
        ev.target()?.dyn_into::<Element>().ok()?.closest(".menu").ok().flatten()
    }

    /// Focuses the item `pick` chooses from the count of items and the focused one.
    pub fn focus_item(menu: &Menu, pick: &dyn Fn(usize, Option<usize>) -> usize) {
        let Ok(list) = menu.query_selector_all("[role=menuitem]") else { return };
        let count = list.length() as usize;
        if count == 0 {
            return;
        }
        let active = leptos::prelude::document().active_element();
        let current = (0..count).find(|i| list.item(*i as u32).map(|n| Some(n.unchecked_into::<Element>()) == active).unwrap_or(false));
        if let Some(node) = list.item(pick(count, current) as u32) {
            let _ = node.unchecked_into::<HtmlElement>().focus();
        }
    }

    pub fn focus_button(menu: &Menu) {
        if let Ok(Some(button)) = menu.query_selector("button.menu-button") {
            let _ = button.unchecked_into::<HtmlElement>().focus();
        }
    }

    /// The focus moves to somewhere in the same menu.
    pub fn focus_stays_in(ev: &FocusEvent) -> bool {
        let to = ev.related_target().and_then(|t| t.dyn_into::<Node>().ok());
        menu_of(ev).zip(to).is_some_and(|(menu, to)| menu.contains(Some(&to)))
    }
}

#[cfg(not(feature = "hydrate"))]
mod dom {
    use leptos::web_sys::{Event, FocusEvent};

    pub enum Menu {}

    pub fn menu_of(_: &Event) -> Option<Menu> {
        None
    }

    pub fn focus_item(menu: &Menu, _: &dyn Fn(usize, Option<usize>) -> usize) {
        match *menu {}
    }

    pub fn focus_button(menu: &Menu) {
        match *menu {}
    }

    pub fn focus_stays_in(_: &FocusEvent) -> bool {
        false
    }
}
