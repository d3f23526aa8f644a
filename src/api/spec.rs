//! The published OpenAPI document, made as strict as the server: poem-openapi leaves request
//! bodies open to any extra property and lets a PATCH be empty, while the server refuses both.
//! The document says so, so generated clients and fuzzers see the same rules. Enum values also
//! get names that are unique across the document (`x-enum-varnames`), for generators that put
//! every enum's constants in one namespace.

use serde_json::Value;

/// The document poem-openapi generates, with every request body closed
/// (`additionalProperties: false`) and every PATCH body required to name a field.
pub fn strict(generated: &str) -> Value {
    let mut spec: Value = serde_json::from_str(generated).expect("the generated spec is JSON");
    let mut closed = Vec::new();
    let mut patched = Vec::new();
    for ops in spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for (method, op) in ops.as_object().into_iter().flatten() {
            let Some(content) = op["requestBody"]["content"].as_object() else {
                continue;
            };
            for media in content.values() {
                if let Some(name) = ref_name(&media["schema"]) {
                    if method == "patch" {
                        patched.push(name.to_string());
                    }
                    closed.push(name.to_string());
                }
            }
        }
    }
    let schemas = &mut spec["components"]["schemas"];
    let mut seen = Vec::new();
    while let Some(name) = closed.pop() {
        if seen.contains(&name) {
            continue;
        }
        let schema = &mut schemas[&name];
        collect_refs(schema, &mut closed);
        if schema["type"] == "object" && schema.get("additionalProperties").is_none() {
            schema["additionalProperties"] = Value::Bool(false);
        }
        seen.push(name);
    }
    for name in patched {
        schemas[&name]["minProperties"] = 1.into();
    }
    name_enum_values(schemas);
    bound_plan_limits(schemas);
    spec
}

/// A plan's `limits` is a map of named integers; the generator cannot put the bounds that
/// `domain::plan::validate_limits` keeps (0 to `LIMIT_VALUE_MAX`) on the map's values, so
/// they are written here, on every schema with that map.
fn bound_plan_limits(schemas: &mut Value) {
    for schema in schemas
        .as_object_mut()
        .into_iter()
        .flat_map(|s| s.values_mut())
    {
        let values = schema
            .get_mut("properties")
            .and_then(|p| p.get_mut("limits"))
            .and_then(|l| l.get_mut("additionalProperties"));
        let Some(values) = values else { continue };
        if values["type"] == "integer" {
            values["minimum"] = 0.into();
            values["maximum"] = crate::domain::plan::LIMIT_VALUE_MAX.into();
        }
    }
}

/// Gives each enum schema `x-enum-varnames`: its values prefixed with the schema's name
/// (`CompanyStatusDto` → `COMPANY_STATUS_ACTIVE`). openapi-generator's Go client puts the
/// constants of all enums in one package, so without this `ACTIVE` is declared once for each
/// enum that has it and the client does not compile.
fn name_enum_values(schemas: &mut Value) {
    let Some(schemas) = schemas.as_object_mut() else {
        return;
    };
    let names: Vec<String> = schemas.keys().cloned().collect();
    for (name, schema) in schemas.iter_mut() {
        let Some(values) = schema["enum"].as_array() else {
            continue;
        };
        if schema.get("x-enum-varnames").is_some() {
            continue;
        }
        // `Dto` says nothing to a client's user; kept when dropping it would clash.
        let prefix = match name.strip_suffix("Dto") {
            Some(short) if !names.iter().any(|n| n == short) => short,
            _ => name,
        };
        let prefix = screaming_snake(prefix);
        let varnames: Option<Vec<Value>> = values
            .iter()
            .map(|v| {
                // A leading `-` (a reversed sort, `-name`) names the value `…_NAME_DESC`, apart
                // from `name`.
                let v = v.as_str()?;
                let (v, desc) = v.strip_prefix('-').map_or((v, ""), |v| (v, "_DESC"));
                Some(format!("{prefix}_{}{desc}", screaming_snake(v)).into())
            })
            .collect();
        if let Some(varnames) = varnames {
            schema["x-enum-varnames"] = Value::Array(varnames);
        }
    }
}

/// `CompanyStatus` → `COMPANY_STATUS`, `cnpj_in_use` → `CNPJ_IN_USE`, `secrets:read` →
/// `SECRETS_READ`.
fn screaming_snake(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    let mut previous_lower = false;
    for c in text.chars() {
        if !c.is_ascii_alphanumeric() {
            if !out.ends_with('_') {
                out.push('_');
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower {
            out.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_uppercase());
    }
    out.trim_matches('_').to_string()
}

fn ref_name(schema: &Value) -> Option<&str> {
    schema["$ref"].as_str().and_then(|r| r.rsplit('/').next())
}

/// Names of the schemas `schema` refers to, at any depth.
fn collect_refs(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(name) = ref_name(schema) {
                out.push(name.to_string());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_bodies_are_closed_and_patches_non_empty() {
        let generated = json!({
            "paths": {"/things/{id}": {
                "patch": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingPatch"}}}}},
                "get": {}
            }},
            "components": {"schemas": {
                "ThingPatch": {"type": "object", "properties": {"inner": {"$ref": "#/components/schemas/Inner"}}},
                "Inner": {"type": "object", "properties": {}},
                "Map": {"type": "object", "additionalProperties": {"type": "string"}},
                "Thing": {"type": "object", "properties": {}}
            }}
        });
        let spec = strict(&generated.to_string());
        let schemas = &spec["components"]["schemas"];
        assert_eq!(schemas["ThingPatch"]["additionalProperties"], false);
        assert_eq!(schemas["ThingPatch"]["minProperties"], 1);
        assert_eq!(schemas["Inner"]["additionalProperties"], false);
        assert!(schemas["Thing"].get("additionalProperties").is_none());
        assert_eq!(schemas["Map"]["additionalProperties"]["type"], "string");
    }

    #[test]
    fn enum_values_are_named_uniquely_across_enums() {
        let generated = json!({
            "paths": {},
            "components": {"schemas": {
                "CompanyStatusDto": {"type": "string", "enum": ["pending", "active"]},
                "UserStatusDto": {"type": "string", "enum": ["pending", "active"]},
                "RoleDto": {"type": "string", "enum": ["company_admin"]},
                "Role": {"type": "string", "enum": ["secrets:read"]},
                "Named": {"type": "string", "enum": ["a"], "x-enum-varnames": ["KEPT"]}
            }}
        });
        let generated = serde_json::to_string_pretty(&generated).unwrap();
        let spec = strict(&generated);
        let schemas = &spec["components"]["schemas"];
        let names = |n: &str| schemas[n]["x-enum-varnames"].clone();
        assert_eq!(
            names("CompanyStatusDto"),
            json!(["COMPANY_STATUS_PENDING", "COMPANY_STATUS_ACTIVE"])
        );
        assert_eq!(
            names("UserStatusDto"),
            json!(["USER_STATUS_PENDING", "USER_STATUS_ACTIVE"])
        );
        assert_eq!(names("RoleDto"), json!(["ROLE_DTO_COMPANY_ADMIN"]));
        assert_eq!(names("Role"), json!(["ROLE_SECRETS_READ"]));
        assert_eq!(names("Named"), json!(["KEPT"]));
    }
}
