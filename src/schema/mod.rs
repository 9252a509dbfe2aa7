pub fn schema() -> &'static str { "{}" }
