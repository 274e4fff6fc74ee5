//! The functions the emulator serves: one folder each under `--functions`, with a
//! `function.json` and the handler's code.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use functiongraph_protocol::limits::{
    ASYNC_EVENT_AGE_DEFAULT, ASYNC_EVENT_AGE_RANGE, ASYNC_RETRY_DEFAULT, ASYNC_RETRY_RANGE,
};
use functiongraph_protocol::{FssError, FunctionUrn, Operation, Qualifier};
use serde::Deserialize;

/// Settings of one function, as written in its `function.json`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionSpec {
    /// Name; defaults to the folder name.
    #[serde(default)]
    pub name: String,
    /// Package (function app).
    #[serde(default = "default_package")]
    pub package: String,
    /// `file.export`, e.g. `index.handler`.
    #[serde(default = "default_handler")]
    pub handler: String,
    /// Runtime label (informational: every function runs on the local Node.js).
    #[serde(default = "default_runtime")]
    pub runtime: String,
    /// Seconds a call may run.
    #[serde(default = "default_timeout")]
    pub timeout: u32,
    /// Memory, MB: reported in summaries and used as the worker's heap limit.
    #[serde(default = "default_memory")]
    pub memory_size: u32,
    /// Instances that may run at once; more concurrent calls are throttled.
    #[serde(default = "default_concurrency")]
    pub concurrency: u32,
    /// Published versions besides `latest`.
    #[serde(default)]
    pub versions: Vec<String>,
    /// Alias name → version.
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
    /// Environment variables (user data) given to the handler.
    #[serde(default)]
    pub user_data: BTreeMap<String, String>,
    /// Retries of a failed async invocation (0 to 3).
    #[serde(default = "default_retries")]
    pub max_async_retry_attempts: u32,
    /// Seconds an async invocation may wait before it is discarded (1 to 86400).
    #[serde(default = "default_event_age")]
    pub max_async_event_age_in_seconds: u32,
    /// A disabled function answers 429 "Function Disabled".
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// The folder the code is in (set when loading).
    #[serde(skip)]
    pub code_dir: PathBuf,
}

fn default_package() -> String {
    "default".into()
}
fn default_handler() -> String {
    "index.handler".into()
}
fn default_runtime() -> String {
    "Node.js20".into()
}
fn default_timeout() -> u32 {
    3
}
fn default_memory() -> u32 {
    128
}
fn default_concurrency() -> u32 {
    10
}
fn default_retries() -> u32 {
    ASYNC_RETRY_DEFAULT
}
fn default_event_age() -> u32 {
    ASYNC_EVENT_AGE_DEFAULT
}
fn default_true() -> bool {
    true
}

/// The code a URN resolves to: the function and the version the call runs as.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The function.
    pub spec: Arc<FunctionSpec>,
    /// The version that runs (an alias is resolved to its version).
    pub version: String,
    /// The alias the caller named, if any.
    pub alias: Option<String>,
}

impl FunctionSpec {
    /// `package/name`: the key a function is stored and pooled under.
    pub fn key(&self) -> String {
        format!("{}/{}", self.package, self.name)
    }

    fn validate(&self) -> Result<(), String> {
        let field_ok = |s: &str| {
            !s.is_empty()
                && s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        };
        if !field_ok(&self.name) || !field_ok(&self.package) {
            return Err("name and package must be 1-64 letters, digits, '-', '_' or '.'".into());
        }
        if !(1..=900).contains(&self.timeout) {
            return Err("timeout must be 1 to 900 seconds".into());
        }
        if !(64..=10240).contains(&self.memory_size) {
            return Err("memory_size must be 64 to 10240 MB".into());
        }
        if !(1..=1000).contains(&self.concurrency) {
            return Err("concurrency must be 1 to 1000".into());
        }
        if !ASYNC_RETRY_RANGE.contains(&self.max_async_retry_attempts) {
            return Err("max_async_retry_attempts must be 0 to 3".into());
        }
        if !ASYNC_EVENT_AGE_RANGE.contains(&self.max_async_event_age_in_seconds) {
            return Err("max_async_event_age_in_seconds must be 1 to 86400".into());
        }
        for (alias, version) in &self.aliases {
            if !field_ok(alias) || !self.has_version(version) {
                return Err(format!("alias '{alias}' must point at a listed version"));
            }
        }
        if self.handler.rsplit_once('.').is_none() {
            return Err("handler must be 'file.export'".into());
        }
        Ok(())
    }

    fn has_version(&self, v: &str) -> bool {
        v == "latest" || self.versions.iter().any(|x| x == v)
    }
}

/// Why the functions folder could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct LoadError {
    /// The file or folder at fault.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

/// All functions, by `package/name`.
#[derive(Debug, Default)]
pub struct Registry {
    functions: HashMap<String, Arc<FunctionSpec>>,
}

impl Registry {
    /// Loads every sub-folder of `dir` that has a `function.json`.
    ///
    /// # Errors
    /// [`LoadError`] for an unreadable folder, an invalid `function.json`, or two
    /// functions with the same package and name.
    pub fn load(dir: &Path) -> Result<Registry, LoadError> {
        let err = |path: &Path, message: String| LoadError {
            path: path.to_owned(),
            message,
        };
        let entries = std::fs::read_dir(dir).map_err(|e| err(dir, e.to_string()))?;
        let mut functions = HashMap::new();
        let mut folders: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("function.json").is_file())
            .collect();
        folders.sort();
        for folder in folders {
            let file = folder.join("function.json");
            let text = std::fs::read_to_string(&file).map_err(|e| err(&file, e.to_string()))?;
            let mut spec: FunctionSpec =
                serde_json::from_str(&text).map_err(|e| err(&file, e.to_string()))?;
            if spec.name.is_empty() {
                spec.name = folder
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
            }
            spec.code_dir = folder
                .canonicalize()
                .map_err(|e| err(&folder, e.to_string()))?;
            spec.validate().map_err(|m| err(&file, m))?;
            let key = spec.key();
            if functions.insert(key.clone(), Arc::new(spec)).is_some() {
                return Err(err(&file, format!("a second function named {key}")));
            }
        }
        Ok(Registry { functions })
    }

    /// All functions, sorted by key.
    pub fn all(&self) -> Vec<Arc<FunctionSpec>> {
        let mut all: Vec<_> = self.functions.values().cloned().collect();
        all.sort_by_key(|s| s.key());
        all
    }

    /// The function by its `package/name` key.
    pub fn get(&self, key: &str) -> Option<Arc<FunctionSpec>> {
        self.functions.get(key).cloned()
    }

    /// Resolves a URN to a function and version, as the service does for `op`.
    ///
    /// # Errors
    /// FSS.0404 (no function, worded as `op`'s page words it), FSS.1052 (no version),
    /// FSS.1053 (no alias).
    pub fn resolve(
        &self,
        urn: &FunctionUrn,
        op: Operation,
    ) -> Result<Resolved, (FssError, String)> {
        let spec = self
            .functions
            .get(&format!("{}/{}", urn.package, urn.name))
            .cloned()
            .ok_or_else(|| {
                (
                    FssError::FUNCTION_NOT_FOUND,
                    FssError::function_not_found(op, &urn.name),
                )
            })?;
        match &urn.qualifier {
            None => Ok(Resolved {
                spec,
                version: "latest".into(),
                alias: None,
            }),
            Some(Qualifier::Version(v)) if spec.has_version(v) => Ok(Resolved {
                spec,
                version: v.clone(),
                alias: None,
            }),
            Some(Qualifier::Version(v)) => Err((
                FssError::VERSION_NOT_FOUND,
                format!("version '{v}' of function '{}' does not exist", urn.name),
            )),
            Some(Qualifier::Alias(a)) => match spec.aliases.get(a) {
                Some(v) => Ok(Resolved {
                    version: v.clone(),
                    alias: Some(a.clone()),
                    spec,
                }),
                None => Err((
                    FssError::ALIAS_NOT_FOUND,
                    format!("alias '{a}' of function '{}' does not exist", urn.name),
                )),
            },
        }
    }
}
