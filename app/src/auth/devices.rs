//! The name the account page gives a signed-in session: a browser and a system, such as
//! "Firefox on Windows", read from the User-Agent at sign-in. The name is made of this
//! module's own words, so nothing a client sent is stored or shown.

/// How much of a User-Agent is read: real ones fit well within it.
const READ_AT_MOST: usize = 512;

/// Browsers, checked in this order: Edge, Opera and Samsung Internet also name Chrome and
/// Safari, Chrome also names Safari.
const BROWSERS: &[(&[&str], &str)] = &[
    (&["Edg/", "EdgA/", "EdgiOS/", "Edge/"], "Edge"),
    (&["OPR/", "Opera"], "Opera"),
    (&["SamsungBrowser/"], "Samsung Internet"),
    (&["Firefox/", "FxiOS/"], "Firefox"),
    (&["Chrome/", "CriOS/", "Chromium/"], "Chrome"),
    (&["Safari/"], "Safari"),
    (&["curl/"], "curl"),
];

/// Systems, checked in this order: an iPhone's says "like Mac OS X", Android's and
/// ChromeOS's say Linux.
const SYSTEMS: &[(&[&str], &str)] = &[
    (&["iPhone"], "iPhone"),
    (&["iPad"], "iPad"),
    (&["Android"], "Android"),
    (&["CrOS"], "ChromeOS"),
    (&["Windows"], "Windows"),
    (&["Macintosh", "Mac OS X"], "macOS"),
    (&["Linux"], "Linux"),
];

/// The name of the device a User-Agent describes.
pub fn device_label(user_agent: &str) -> String {
    let mut end = user_agent.len().min(READ_AT_MOST);
    while !user_agent.is_char_boundary(end) {
        end -= 1;
    }
    let read = &user_agent[..end];
    let first = |known: &[(&[&str], &'static str)]| {
        known.iter().find(|(marks, _)| marks.iter().any(|mark| read.contains(mark))).map(|(_, name)| *name)
    };
    match (first(BROWSERS), first(SYSTEMS)) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        (None, Some(system)) => format!("A browser on {system}"),
        (None, None) => String::new(),
    }
}

/// What the page shows for a stored name: sessions started before names were kept, and
/// clients that said nothing known, have none.
pub fn shown(device: &str) -> &str {
    if device.is_empty() { "Unknown device" } else { device }
}

#[cfg(test)]
mod tests {
    use super::{device_label, shown};

    #[test]
    fn common_browsers_are_named_with_their_system() {
        let cases = [
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", "Chrome on Linux"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Windows"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari on macOS"),
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
            ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome on ChromeOS"),
            ("curl/8.5.0", "curl"),
            ("Mozilla/5.0 (X11; Linux x86_64)", "A browser on Linux"),
        ];
        for (agent, name) in cases {
            assert_eq!(device_label(agent), name, "{agent}");
        }
    }

    #[test]
    fn nothing_the_client_sent_is_kept() {
        assert_eq!(device_label(""), "");
        assert_eq!(device_label("<script>alert(1)</script>"), "");
        assert_eq!(shown(&device_label("<img src=x onerror=alert(1)>")), "Unknown device");
        // Marks past what is read, and a cut inside a character, are not read.
        let long = format!("{}é Firefox/1.0 (Windows)", "a".repeat(511));
        assert_eq!(device_label(&long), "");
        assert_eq!(shown("Chrome on Linux"), "Chrome on Linux");
    }
}
