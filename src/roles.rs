//! Placeholder until the roles branch lands: titles pass through cleaned of whitespace.

pub struct Roles;

pub struct RoleMatch {
    pub cleaned: String,
    pub role: String,
    pub matched: bool,
}

impl Roles {
    pub fn load(_path: Option<&std::path::Path>) -> anyhow::Result<Roles> {
        Ok(Roles)
    }

    pub fn classify(&self, title: &str) -> RoleMatch {
        let cleaned = title.split_whitespace().collect::<Vec<_>>().join(" ");
        RoleMatch {
            role: cleaned.clone(),
            cleaned,
            matched: false,
        }
    }

    pub fn version(&self) -> &str {
        "none"
    }

    pub fn len(&self) -> usize {
        0
    }

    pub fn check(&self) -> Vec<String> {
        Vec::new()
    }
}
