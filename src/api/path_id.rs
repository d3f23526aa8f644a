//! Ids as typed path parameters. The spec shows them as strings, as before; a path segment
//! that cannot be an id of the kind becomes an id that names nothing, so the route answers
//! "not found" exactly as for an unknown id, and never confirms what ids look like.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseFromParameter, ParseResult, Type};

use crate::ids::{
    ApplicationId, CompanyId, CredentialId, InvitationId, LinkId, PlanId, PrivacyRequestId,
    SessionId, UserId,
};

macro_rules! path_id {
    ($name:ident) => {
        impl Type for $name {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                "string".into()
            }

            fn schema_ref() -> MetaSchemaRef {
                MetaSchemaRef::Inline(Box::new(MetaSchema {
                    max_length: Some(crate::api::input::ID_MAX),
                    ..MetaSchema::new("string")
                }))
            }

            fn as_raw_value(&self) -> Option<&Self::RawValueType> {
                Some(self)
            }

            fn raw_element_iter<'a>(
                &'a self,
            ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
                Box::new(self.as_raw_value().into_iter())
            }
        }

        impl ParseFromParameter for $name {
            fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                Ok($name::parse(value).unwrap_or_else($name::unmatched))
            }
        }
    };
}

path_id!(CompanyId);
path_id!(UserId);
path_id!(SessionId);
path_id!(ApplicationId);
path_id!(CredentialId);
path_id!(LinkId);
path_id!(InvitationId);
path_id!(PlanId);
path_id!(PrivacyRequestId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_path_id_names_nothing() {
        let id = CompanyId::generate();
        assert_eq!(CompanyId::parse_from_parameter(id.as_str()).unwrap(), id);
        let bad = CompanyId::parse_from_parameter("cmp_../../etc").unwrap();
        assert!(CompanyId::parse(bad.as_str()).is_none());
    }
}
