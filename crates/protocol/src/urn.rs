//! Function URNs: `urn:fss:{region}:{project_id}:function:{package}:{name}[:{version}|:!{alias}]`.

use std::fmt;

/// Longest URN accepted, in bytes: far above any real one, small enough to bound work.
pub const MAX_URN_LEN: usize = 512;
/// Longest single URN field, in characters.
pub const MAX_FIELD_LEN: usize = 64;

/// Which code a URN points at, when it names one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Qualifier {
    /// A published version, or `latest`.
    Version(String),
    /// An alias, written `!alias` in the URN.
    Alias(String),
}

/// A parsed function URN. Every field has been checked against the characters
/// FunctionGraph allows, so it is safe to use as a path or a database key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FunctionUrn {
    /// Region, e.g. `cn-north-4`.
    pub region: String,
    /// Project id, e.g. 32 hex characters.
    pub project_id: String,
    /// Package (function app), e.g. `default`.
    pub package: String,
    /// Function name.
    pub name: String,
    /// Version or alias; `None` means `latest`.
    pub qualifier: Option<Qualifier>,
}

/// Why a string is not a function URN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrnError {
    /// Longer than [`MAX_URN_LEN`].
    TooLong,
    /// Does not start `urn:fss:` or has the wrong number of fields.
    Shape,
    /// One field is empty, too long, or has a character that is not allowed.
    Field(&'static str),
}

impl fmt::Display for UrnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrnError::TooLong => write!(f, "the function URN is longer than {MAX_URN_LEN} bytes"),
            UrnError::Shape => f.write_str(
                "expected urn:fss:{region}:{project_id}:function:{package}:{name}[:{version}|:!{alias}]",
            ),
            UrnError::Field(name) => write!(
                f,
                "the URN's {name} must be 1 to {MAX_FIELD_LEN} characters of letters, digits, '-', '_' or '.'"
            ),
        }
    }
}

impl std::error::Error for UrnError {}

/// Letters, digits, `-`, `_`, `.`; not `.`/`..`; 1 to [`MAX_FIELD_LEN`] long.
fn valid_field(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_FIELD_LEN
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn field(value: &str, name: &'static str) -> Result<String, UrnError> {
    if valid_field(value) {
        Ok(value.to_owned())
    } else {
        Err(UrnError::Field(name))
    }
}

impl FunctionUrn {
    /// Parses and validates a URN.
    ///
    /// # Errors
    /// [`UrnError`] says which part is wrong.
    pub fn parse(s: &str) -> Result<Self, UrnError> {
        if s.len() > MAX_URN_LEN {
            return Err(UrnError::TooLong);
        }
        // At most 8 parts, in an array: no vector to collect them into.
        let mut parts = [""; 8];
        let mut count = 0;
        for part in s.split(':') {
            *parts.get_mut(count).ok_or(UrnError::Shape)? = part;
            count += 1;
        }
        if count < 7 || parts[0] != "urn" || parts[1] != "fss" || parts[4] != "function" {
            return Err(UrnError::Shape);
        }
        let qualifier = match (count == 8).then_some(parts[7]) {
            None => None,
            Some(q) => Some(match q.strip_prefix('!') {
                Some(alias) => Qualifier::Alias(field(alias, "alias")?),
                None => Qualifier::Version(field(q, "version")?),
            }),
        };
        Ok(FunctionUrn {
            region: field(parts[2], "region")?,
            project_id: field(parts[3], "project id")?,
            package: field(parts[5], "package")?,
            name: field(parts[6], "function name")?,
            qualifier,
        })
    }

    /// The URN of the same function with no version or alias.
    pub fn unqualified(&self) -> FunctionUrn {
        FunctionUrn {
            qualifier: None,
            ..self.clone()
        }
    }
}

/// The URN in its canonical form, e.g. `urn:fss:cn-north-4:{project_id}:function:default:hello:!prod`.
impl fmt::Display for FunctionUrn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "urn:fss:{}:{}:function:{}:{}",
            self.region, self.project_id, self.package, self.name
        )?;
        match &self.qualifier {
            None => Ok(()),
            Some(Qualifier::Version(v)) => write!(f, ":{v}"),
            Some(Qualifier::Alias(a)) => write!(f, ":!{a}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn parses_every_form_and_formats_it_back() {
        for s in [
            format!("urn:fss:cn-north-4:{P}:function:default:hello:latest"),
            format!("urn:fss:cn-north-4:{P}:function:default:hello"),
            format!("urn:fss:cn-north-4:{P}:function:my_app:hello-world:v2"),
            format!("urn:fss:ap-southeast-1:{P}:function:default:hello:!prod"),
        ] {
            let urn = FunctionUrn::parse(&s).unwrap();
            assert_eq!(urn.to_string(), s);
        }
        let urn = FunctionUrn::parse(&format!(
            "urn:fss:cn-north-4:{P}:function:default:hello:!prod"
        ))
        .unwrap();
        assert_eq!(urn.qualifier, Some(Qualifier::Alias("prod".into())));
        assert_eq!(urn.unqualified().qualifier, None);
    }

    #[test]
    fn refuses_hostile_or_malformed_urns() {
        let cases = [
            ("", UrnError::Shape),
            ("urn:fss:cn-north-4", UrnError::Shape),
            (
                &format!("urn:fss:cn-north-4:{P}:function:default") as &str,
                UrnError::Shape,
            ),
            (
                &format!("urn:aws:cn-north-4:{P}:function:default:hello") as &str,
                UrnError::Shape,
            ),
            (
                &format!("urn:fss:cn-north-4:{P}:functions:default:hello"),
                UrnError::Shape,
            ),
            (
                &format!("urn:fss:cn-north-4:{P}:function:default:hello:latest:x"),
                UrnError::Shape,
            ),
            (
                &format!("urn:fss:cn-north-4:{P}:function:default:../etc"),
                UrnError::Field("function name"),
            ),
            (
                &format!("urn:fss:cn-north-4:{P}:function:default:a/b"),
                UrnError::Field("function name"),
            ),
            (
                &format!("urn:fss:cn-north-4:{P}:function:..:hello"),
                UrnError::Field("package"),
            ),
            (
                &format!("urn:fss::{P}:function:default:hello"),
                UrnError::Field("region"),
            ),
            (
                &format!("urn:fss:cn-north-4:{P}:function:default:hello:!"),
                UrnError::Field("alias"),
            ),
            (
                &format!("urn:fss:cn-north-4:{P}:function:default:hel lo"),
                UrnError::Field("function name"),
            ),
            (
                &format!("urn:fss:cn-north-4:{P}:function:default:{}", "x".repeat(65)),
                UrnError::Field("function name"),
            ),
            (
                &format!(
                    "urn:fss:cn-north-4:{P}:function:default:{}",
                    "x".repeat(600)
                ),
                UrnError::TooLong,
            ),
        ];
        for (s, want) in cases {
            assert_eq!(FunctionUrn::parse(s), Err(want), "{s}");
        }
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(
            UrnError::TooLong.to_string(),
            "the function URN is longer than 512 bytes"
        );
        assert_eq!(
            UrnError::Shape.to_string(),
            "expected urn:fss:{region}:{project_id}:function:{package}:{name}[:{version}|:!{alias}]"
        );
        assert_eq!(
            UrnError::Field("alias").to_string(),
            "the URN's alias must be 1 to 64 characters of letters, digits, '-', '_' or '.'"
        );
    }
}
