//! The API's route table, taken from poem-openapi's typed metadata of the operations when the
//! app is built: the methods each path allows (the `Allow` header of a 405) and the path
//! templates (the metrics' route labels). Nothing is read back from the published document.

use std::sync::Arc;

use poem_openapi::OpenApi;

use super::Apis;

/// The API's paths (`/api/v1/companies/{id}`) and the methods each answers.
#[derive(Clone, Debug)]
pub struct ApiRoutes(Arc<Vec<(String, Vec<String>)>>);

impl ApiRoutes {
    /// The operations of [`Apis`], served under `prefix`.
    pub fn new(prefix: &str) -> Self {
        Self::from_meta(prefix, <Apis as OpenApi>::meta())
    }

    fn from_meta(prefix: &str, apis: Vec<poem_openapi::registry::MetaApi>) -> Self {
        let mut paths: Vec<(String, Vec<String>)> = Vec::new();
        for path in apis.into_iter().flat_map(|api| api.paths) {
            let template = format!("{prefix}{}", path.path);
            let methods = path.operations.iter().map(|op| op.method.to_string());
            match paths.iter_mut().find(|(t, _)| *t == template) {
                Some((_, known)) => known.extend(methods),
                None => paths.push((template, methods.collect())),
            }
        }
        Self(Arc::new(paths))
    }

    /// Every path template, with `{name}` for its parameters.
    pub fn templates(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(t, _)| t.as_str())
    }

    /// The methods allowed on `path`, and HEAD where GET is (GET routes answer it); `None` for
    /// a path no operation has.
    pub fn allowed_methods(&self, path: &str) -> Option<String> {
        let segments: Vec<&str> = path.split('/').collect();
        let matches = |template: &str| {
            let t: Vec<&str> = template.split('/').collect();
            t.len() == segments.len()
                && t.iter()
                    .zip(&segments)
                    .all(|(t, p)| t == p || (t.starts_with('{') && !p.is_empty()))
        };
        let mut methods: Vec<String> = self
            .0
            .iter()
            .filter(|(t, _)| matches(t))
            .flat_map(|(_, m)| m.iter().cloned())
            .collect();
        if methods.iter().any(|m| m == "GET") {
            methods.push("HEAD".into());
        }
        methods.sort();
        methods.dedup();
        (!methods.is_empty()).then(|| methods.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_the_operations_methods() {
        let routes = ApiRoutes::new("/api/v1");
        assert_eq!(
            routes.allowed_methods("/api/v1/companies/cmp_1").as_deref(),
            Some("GET, HEAD, PATCH")
        );
        assert_eq!(
            routes.allowed_methods("/api/v1/companies").as_deref(),
            Some("GET, HEAD, POST")
        );
        assert_eq!(routes.allowed_methods("/api/v1/nothing"), None);
        assert_eq!(routes.allowed_methods("/api/v1/companies/"), None);
        assert!(routes
            .templates()
            .any(|t| t == "/api/v1/companies/{id}/users"));
    }
}
