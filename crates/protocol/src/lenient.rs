//! The rules for answer fields that the service and the gateways in front of it send in
//! more than one form, stated once. Every reader applies them: the serde models below
//! (`deserialize_with`, for JSON read with `serde_json`), and the wasm client, which
//! reads the few fields it decides on straight from the JavaScript object `JSON.parse`
//! made, without serde. A reader says what a field holds as a [`Field`]; the rule says
//! what it means, or why it is refused.
//!
//! JavaScript holds every number as an `f64`, so a whole number may arrive as an
//! integer or as a float with no fraction, and both are accepted.

use serde::de::{self, Deserialize, Deserializer, Visitor};

/// Largest integer every JSON reader (and JavaScript) holds exactly: 2^53.
const MAX_EXACT_FLOAT_INT: f64 = 9_007_199_254_740_992.0;

/// What one field of an answer holds, as far as the rules care.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Field<'a> {
    /// Not in the object.
    Absent,
    /// `null`.
    Null,
    /// A number the reader holds as an integer.
    Integer(i128),
    /// A number the reader holds as a float (every JavaScript number).
    Float(f64),
    /// A string.
    Text(&'a str),
    /// `true`, `false`, an object or an array.
    Other,
}

/// Why a field was refused: what the rule expected, for the error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused(pub &'static str);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expected {}", self.0)
    }
}

/// A whole number: an integer, a float with no fraction within ±2^53, and, with
/// `strings`, a decimal string (`-`? digits). Absent and `null` are `None`.
fn whole(field: Field<'_>, strings: bool, expected: &'static str) -> Result<Option<i128>, Refused> {
    match field {
        Field::Absent | Field::Null => Ok(None),
        Field::Integer(n) => Ok(Some(n)),
        // Whole and within ±2^53: the conversion is exact.
        Field::Float(v) if v.fract() == 0.0 && v.abs() <= MAX_EXACT_FLOAT_INT => {
            Ok(Some(v as i128))
        }
        Field::Text(s) if strings => {
            let digits = s.strip_prefix('-').unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Refused(expected));
            }
            s.parse().map(Some).map_err(|_| Refused(expected))
        }
        _ => Err(Refused(expected)),
    }
}

fn fits<T: TryFrom<i128>>(n: Option<i128>, expected: &'static str) -> Result<Option<T>, Refused> {
    n.map(|n| T::try_from(n).map_err(|_| Refused(expected)))
        .transpose()
}

/// `next_marker` of a listing: the offset of the next page, as a number or a decimal
/// string (the SDK models it as an integer, Terraform reads it as a string); absent or
/// `null` is no next page.
pub fn next_marker(field: Field<'_>) -> Result<Option<u64>, Refused> {
    const EXPECTED: &str = "a whole number from 0 to 2^64-1, or a decimal string";
    fits(whole(field, true, EXPECTED)?, EXPECTED)
}

/// `error_code` of an async invocation record: a number or a decimal string; absent or
/// `null` is 0.
pub fn error_code(field: Field<'_>) -> Result<i64, Refused> {
    const EXPECTED: &str = "a whole number that fits in 64 bits, or a decimal string";
    Ok(fits(whole(field, true, EXPECTED)?, EXPECTED)?.unwrap_or(0))
}

/// `count` of a listing: a number, never `null` or a string. Absent is `None`: a reader
/// then takes the page's length.
pub fn count(field: Field<'_>) -> Result<Option<u64>, Refused> {
    const EXPECTED: &str = "a whole number from 0 to 2^64-1";
    match field {
        Field::Absent => Ok(None),
        Field::Null => Err(Refused(EXPECTED)),
        other => fits(whole(other, false, EXPECTED)?, EXPECTED),
    }
}

/// `status` of a sync invoke answer: a number; absent or `null` is 200.
pub fn invoke_status(field: Field<'_>) -> Result<i32, Refused> {
    const EXPECTED: &str = "a whole number that fits in 32 bits";
    Ok(fits(whole(field, false, EXPECTED)?, EXPECTED)?.unwrap_or(200))
}

/// A text field that may be left out: a string, or absent or `null` (read as `""`).
pub fn optional_text<'a>(field: Field<'a>) -> Result<&'a str, Refused> {
    match field {
        Field::Absent | Field::Null => Ok(""),
        Field::Text(s) => Ok(s),
        _ => Err(Refused("a string")),
    }
}

/// serde's view of a field, for the rules: a visitor that records what it was given.
struct Reader;

/// What [`Reader`] saw; owns a string so that it outlives the deserializer.
enum Seen {
    Null,
    Integer(i128),
    Float(f64),
    Text(String),
    Other,
}

impl Seen {
    fn field(&self) -> Field<'_> {
        match self {
            Seen::Null => Field::Null,
            Seen::Integer(n) => Field::Integer(*n),
            Seen::Float(v) => Field::Float(*v),
            Seen::Text(s) => Field::Text(s),
            Seen::Other => Field::Other,
        }
    }
}

impl<'de> Visitor<'de> for Reader {
    type Value = Seen;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Seen, E> {
        Ok(Seen::Other)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Seen, E> {
        Ok(Seen::Integer(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Seen, E> {
        Ok(Seen::Integer(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Seen, E> {
        Ok(Seen::Integer(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Seen, E> {
        // Past i128: no rule accepts it, whatever it is called here.
        Ok(i128::try_from(v).map_or(Seen::Other, Seen::Integer))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Seen, E> {
        Ok(Seen::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Seen, E> {
        Ok(Seen::Text(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Seen, E> {
        Ok(Seen::Text(v))
    }
    fn visit_none<E: de::Error>(self) -> Result<Seen, E> {
        Ok(Seen::Null)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Seen, E> {
        Ok(Seen::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Seen, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Seen, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Seen::Other)
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Seen, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(Seen::Other)
    }
}

/// Reads a present field with serde and applies `rule` to it.
fn apply<'de, D: Deserializer<'de>, T>(
    d: D,
    rule: impl FnOnce(Field<'_>) -> Result<T, Refused>,
) -> Result<T, D::Error> {
    let seen = d.deserialize_any(Reader)?;
    rule(seen.field()).map_err(de::Error::custom)
}

/// `next_marker` ([`next_marker`]).
pub(crate) fn serde_next_marker<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    apply(d, next_marker)
}

/// `error_code` ([`error_code`]).
pub(crate) fn serde_error_code<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    apply(d, error_code)
}

/// `count` ([`count`]); serde's `default` covers an absent field.
pub(crate) fn serde_count<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    apply(d, |f| count(f).map(Option::unwrap_or_default))
}

/// `status` ([`invoke_status`]); serde's `default` covers an absent field.
pub(crate) fn serde_invoke_status<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    apply(d, invoke_status)
}

/// A string; `null` is `""` ([`optional_text`]).
pub(crate) fn serde_optional_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_numbers_or_decimal_strings() {
        assert_eq!(next_marker(Field::Absent), Ok(None));
        assert_eq!(next_marker(Field::Null), Ok(None));
        assert_eq!(next_marker(Field::Float(100.0)), Ok(Some(100)));
        assert_eq!(next_marker(Field::Integer(7)), Ok(Some(7)));
        assert_eq!(next_marker(Field::Text("250")), Ok(Some(250)));
        for bad in [
            Field::Float(1.5),
            Field::Float(-1.0),
            Field::Text("abc"),
            Field::Text(""),
            Field::Text("+1"),
            Field::Other,
        ] {
            assert!(next_marker(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn counts_are_numbers_and_absent_is_unknown() {
        assert_eq!(count(Field::Absent), Ok(None));
        assert_eq!(count(Field::Float(3.0)), Ok(Some(3)));
        assert!(count(Field::Null).is_err());
        assert!(count(Field::Text("3")).is_err());
    }

    #[test]
    fn error_codes_default_to_zero_and_read_strings() {
        assert_eq!(error_code(Field::Absent), Ok(0));
        assert_eq!(error_code(Field::Null), Ok(0));
        assert_eq!(error_code(Field::Text("4208")), Ok(4208));
        assert_eq!(error_code(Field::Float(-1.0)), Ok(-1));
        assert!(error_code(Field::Float(2.5)).is_err());
    }

    #[test]
    fn invoke_statuses_default_to_200() {
        assert_eq!(invoke_status(Field::Absent), Ok(200));
        assert_eq!(invoke_status(Field::Null), Ok(200));
        assert_eq!(invoke_status(Field::Float(4002.0)), Ok(4002));
        assert!(invoke_status(Field::Text("200")).is_err());
        assert!(invoke_status(Field::Float(1e12)).is_err());
    }

    #[test]
    fn optional_texts_read_null_as_empty() {
        assert_eq!(optional_text(Field::Null), Ok(""));
        assert_eq!(optional_text(Field::Text("x")), Ok("x"));
        assert!(optional_text(Field::Float(1.0)).is_err());
    }
}
