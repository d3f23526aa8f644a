//! Values between the store and PostgreSQL: SQLite's values sent in the type the server asks
//! for, and the server's columns read back as SQLite's values.

use std::error::Error as StdError;

use bytes::BytesMut;
use postgres::types::{FromSql, IsNull, ToSql, Type};
use rusqlite::types::Value;

/// A value sent as the type the server inferred for its parameter: the store's values are
/// SQLite's (integers, reals, texts, blobs), its columns BIGINT, DOUBLE PRECISION, TEXT and
/// BYTEA, and a comparison may ask for another (an INTEGER count, a boolean).
#[derive(Debug)]
pub(super) struct Bound<'v>(pub(super) &'v Value);

type Failure = Box<dyn StdError + Sync + Send>;

impl ToSql for Bound<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Failure> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Integer(i) => integer(*i, ty, out),
            Value::Real(f) => match *ty {
                Type::FLOAT8 => f.to_sql(ty, out),
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ if is_text(ty) => f.to_string().to_sql(&Type::TEXT, out),
                _ => Err(format!("a real number where {ty} is expected").into()),
            },
            Value::Text(s) => text(s, ty, out),
            Value::Blob(b) => match *ty {
                Type::BYTEA => b.as_slice().to_sql(ty, out),
                _ => match std::str::from_utf8(b) {
                    Ok(s) => text(s, ty, out),
                    Err(_) => Err(format!("bytes where {ty} is expected").into()),
                },
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

fn integer(i: i64, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Failure> {
    match *ty {
        Type::INT8 => i.to_sql(ty, out),
        Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
        Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
        Type::BOOL => (i != 0).to_sql(ty, out),
        Type::FLOAT8 => (i as f64).to_sql(ty, out),
        Type::FLOAT4 => (i as f32).to_sql(ty, out),
        _ if is_text(ty) => i.to_string().to_sql(&Type::TEXT, out),
        _ => Err(format!("an integer where {ty} is expected").into()),
    }
}

fn text(s: &str, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Failure> {
    match *ty {
        Type::BYTEA => s.as_bytes().to_sql(ty, out),
        Type::JSONB => {
            out.extend_from_slice(&[1]);
            out.extend_from_slice(s.as_bytes());
            Ok(IsNull::No)
        }
        Type::INT8 => s.trim().parse::<i64>()?.to_sql(ty, out),
        _ if is_text(ty) || *ty == Type::JSON => {
            out.extend_from_slice(s.as_bytes());
            Ok(IsNull::No)
        }
        _ => Err(format!("text where {ty} is expected").into()),
    }
}

fn is_text(ty: &Type) -> bool {
    matches!(
        *ty,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
    )
}

/// A column read as the SQLite value it stands for.
pub(super) struct Column(pub(super) Value);

impl<'a> FromSql<'a> for Column {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, Failure> {
        let v = match *ty {
            Type::BOOL => Value::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::INT2 => Value::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::INT4 => Value::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::OID => Value::Integer(i64::from(u32::from_sql(ty, raw)?)),
            Type::FLOAT4 => Value::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::BYTEA => Value::Blob(raw.to_vec()),
            Type::JSONB => json_value(raw.get(1..).unwrap_or(&[]))?,
            Type::NUMERIC => numeric(raw)?,
            _ => Value::Text(String::from_utf8(raw.to_vec())?),
        };
        Ok(Column(v))
    }

    fn from_sql_null(_: &Type) -> Result<Self, Failure> {
        Ok(Column(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A JSON value as SQLite's `json_extract` gives it: a number as a number, a string as its
/// text, true and false as 1 and 0, null as NULL, an object or array as its JSON text. (The
/// store keeps JSON as text; a JSONB column comes only from `json_extract`, see `dialect`.)
fn json_value(raw: &[u8]) -> Result<Value, Failure> {
    use serde_json::Value as Json;
    Ok(match serde_json::from_slice::<Json>(raw)? {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Integer(i64::from(b)),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::Text(s),
        other => Value::Text(other.to_string()),
    })
}

/// A NUMERIC (what `sum` of BIGINTs gives) as an integer when it is whole and fits, as a real
/// otherwise. Its binary form: digit count, weight, sign, scale, then base-10,000 digits.
fn numeric(raw: &[u8]) -> Result<Value, Failure> {
    let word = |i: usize| -> Result<u16, Failure> {
        let b = raw.get(i * 2..i * 2 + 2).ok_or("a short NUMERIC")?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    };
    let digits = usize::from(word(0)?);
    let weight = i32::from(word(1)? as i16);
    let sign = word(2)?;
    let scale = word(3)?;
    if sign == 0xC000 {
        return Ok(Value::Real(f64::NAN));
    }
    let negative = sign == 0x4000;
    let mut whole: i128 = 0;
    let mut real = 0f64;
    let mut fits = scale == 0;
    for i in 0..digits {
        let d = i128::from(word(4 + i)?);
        let power = weight - i as i32;
        real += d as f64 * 10_000f64.powi(power);
        if power < 0 {
            fits &= d == 0;
        } else if fits {
            let scaled = 10_000i128
                .checked_pow(power as u32)
                .and_then(|p| p.checked_mul(d));
            match scaled.and_then(|s| whole.checked_add(s)) {
                Some(w) => whole = w,
                None => fits = false,
            }
        }
    }
    let whole = if negative { -whole } else { whole };
    Ok(match i64::try_from(whole) {
        Ok(w) if fits => Value::Integer(w),
        _ => Value::Real(if negative { -real } else { real }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numeric_of(digits: &[u16], weight: i16, sign: u16, scale: u16) -> Value {
        let mut raw = Vec::new();
        for w in [digits.len() as u16, weight as u16, sign, scale] {
            raw.extend_from_slice(&w.to_be_bytes());
        }
        for d in digits {
            raw.extend_from_slice(&d.to_be_bytes());
        }
        numeric(&raw).unwrap()
    }

    #[test]
    fn a_whole_numeric_reads_as_an_integer_and_a_fraction_as_a_real() {
        // 123456789 = 1·10000² + 2345·10000 + 6789
        assert_eq!(
            numeric_of(&[1, 2345, 6789], 2, 0, 0),
            Value::Integer(123_456_789)
        );
        assert_eq!(numeric_of(&[42], 0, 0x4000, 0), Value::Integer(-42));
        assert_eq!(numeric_of(&[], 0, 0, 0), Value::Integer(0));
        // 1.5 = 1 + 5000·10000⁻¹
        assert_eq!(numeric_of(&[1, 5000], 0, 0, 1), Value::Real(1.5));
    }
}
