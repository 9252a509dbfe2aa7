//! The three channels a flow can run on: phone, web and app.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The medium a flow serves. Phone menus are heard and answered with keys or
/// speech; web pages and app screens are read and clicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Phone,
    Web,
    App,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Phone, Channel::Web, Channel::App];

    pub fn name(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Web => "web",
            Channel::App => "app",
        }
    }

    pub fn parse(text: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.name() == text)
    }

    /// Web pages and app screens are chosen by clicking labels.
    pub fn is_visual(self) -> bool {
        !matches!(self, Channel::Phone)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
