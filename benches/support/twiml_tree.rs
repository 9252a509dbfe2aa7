//! A generated TwiML phone tree, shared by the crawl bench (served over
//! HTTP) and the lint bench (crawled in process, then linted).
//!
//! Menus form a tree where menu `i` offers keys 1 to 3 for menus `3i+1` to
//! `3i+3`, 9 for the main menu, and 0 for an agent; silence asks again and
//! other keys apologise and ask again. Menu `i` is served at `/m/i`, and
//! its gather posts to `/m/i/key`.

pub fn menu(i: usize, menus: usize) -> String {
    let children: Vec<String> = (1..=3)
        .filter(|k| 3 * i + k < menus)
        .map(|k| format!("For topic {}, press {k}.", 3 * i + k))
        .collect();
    format!(
        r#"<Response><Gather numDigits="1" action="/m/{i}/key"><Say>Menu {i}. {} For the main menu, press 9. For an agent, press 0.</Say></Gather><Redirect>/m/{i}</Redirect></Response>"#,
        children.join(" ")
    )
}

/// The reply to a request for `path` carrying the caller's `digits`.
pub fn reply(path: &str, digits: Option<&str>, menus: usize) -> String {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let index = |text: &str| text.parse::<usize>().ok().filter(|&i| i < menus);
    match (parts.as_slice(), digits) {
        (["voice"], _) => menu(0, menus),
        (["m", i], _) => index(i).map_or_else(|| menu(0, menus), |i| menu(i, menus)),
        (["m", i, "key"], Some(d)) => {
            let Some(i) = index(i) else {
                return menu(0, menus);
            };
            match d {
                "0" => "<Response><Enqueue>agents</Enqueue></Response>".to_string(),
                "9" => menu(0, menus),
                "1" | "2" | "3" if 3 * i + d.parse::<usize>().unwrap_or(0) < menus => {
                    menu(3 * i + d.parse::<usize>().unwrap_or(0), menus)
                }
                _ => format!(
                    "<Response><Say>Sorry, that is not an option.</Say><Redirect>/m/{i}</Redirect></Response>"
                ),
            }
        }
        _ => menu(0, menus),
    }
}
