//! `deserialize_with` readers for fields the service and the gateways in front of it
//! send in more than one form. They read JSON through `serde_json` and JavaScript
//! objects through `serde_wasm_bindgen`, where every number is an `f64`: a whole
//! number may arrive as an integer or as a float, and both are accepted.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Unexpected, Visitor};

/// Largest integer every JSON reader (and JavaScript) holds exactly: 2^53.
const MAX_EXACT_FLOAT_INT: f64 = 9_007_199_254_740_992.0;

/// A whole number given as an integer or a float with no fraction (within ±2^53),
/// and, when `strings` is set, as a decimal string (`-`? digits); `null` as `None`.
struct WholeNumber {
    strings: bool,
}

impl<'de> Visitor<'de> for WholeNumber {
    type Value = Option<i128>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.strings {
            "a whole number or a decimal string"
        } else {
            "a whole number"
        })
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(i128::from(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(i128::from(v)))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
        i128::try_from(v)
            .map(Some)
            .map_err(|_| E::invalid_value(Unexpected::Other("a number too large"), &self))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
        Ok(Some(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        if v.fract() == 0.0 && v.abs() <= MAX_EXACT_FLOAT_INT {
            // Whole and within ±2^53: the conversion is exact.
            Ok(Some(v as i128))
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &self))
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        let digits = v.strip_prefix('-').unwrap_or(v);
        if !self.strings || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(E::invalid_value(Unexpected::Str(v), &self));
        }
        v.parse()
            .map(Some)
            .map_err(|_| E::invalid_value(Unexpected::Str(v), &self))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// A whole number of type `T` in a form [`WholeNumber`] reads; `None` for `null`.
fn whole<'de, D, T>(d: D, strings: bool, expected: &'static str) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i128>,
{
    match d.deserialize_any(WholeNumber { strings })? {
        None => Ok(None),
        Some(n) => T::try_from(n).map(Some).map_err(|_| {
            de::Error::invalid_value(Unexpected::Other(&format!("the number {n}")), &expected)
        }),
    }
}

/// `Option<u64>` from an integer, a whole float or a decimal string; `null` is `None`.
pub(crate) fn opt_u64_from_number_or_string<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<u64>, D::Error> {
    whole(d, true, "a whole number from 0 to 2^64-1")
}

/// `i64` from an integer, a whole float or a decimal string; `null` is 0.
pub(crate) fn i64_from_number_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(whole(d, true, "a whole number that fits in 64 bits")?.unwrap_or(0))
}

/// `u64` from an integer or a whole float; not `null`, not a string.
pub(crate) fn u64_from_number<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    const EXPECTED: &str = "a whole number from 0 to 2^64-1";
    whole(d, false, EXPECTED)?.ok_or_else(|| de::Error::invalid_type(Unexpected::Unit, &EXPECTED))
}

/// `Option<i32>` from an integer or a whole float; `null` is `None`; not a string.
pub(crate) fn opt_i32_from_number<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<i32>, D::Error> {
    whole(d, false, "a whole number that fits in 32 bits")
}

/// A string; `null` is `""`.
pub(crate) fn string_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}
