//! The published OpenAPI document, made as strict as the server: poem-openapi leaves request
//! bodies open to any extra property and lets a PATCH be empty, while the server refuses both.
//! The document says so, so generated clients and fuzzers see the same rules.

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
    spec
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
}
