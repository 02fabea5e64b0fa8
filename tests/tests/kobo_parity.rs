//! The config language against its judge: kobo's own `PyConfigParser` (from PyPI, what
//! `pungi-koji` reads configs with) and `pungi_config` read the same files, every config
//! of the repository and thousands of generated ones, and must agree: equal values
//! (types included: a tuple is not a list, `True` is not `1`), or both refuse. The only
//! other outcome allowed is one of our deliberate refusals, each of a value kobo would
//! read otherwise than it is written or past a bound of ours ([`DELIBERATE`]).
//!
//! `PUNGI_KOBO_CASES` sets how many configs are generated (default 3,000), and
//! `PUNGI_KOBO_SEED` the first seed, for longer runs than CI's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use pungi_config::Value;
use pungi_tests::{python, workspace, write_demo};
use serde_json::{Value as Json, json};

/// How our deliberate refusals begin or what they say.
const DELIBERATE: [&str; 4] = [
    pungi_config::KOBO_WOULD_READ,
    "does not fit in 64 bits",
    "is out of range",
    "nested more than",
];

/// What one side made of a file.
#[derive(Debug, PartialEq)]
enum Reading {
    Options(Json),
    Refused(String),
}

#[test]
fn kobo_and_pungi_wasm_read_every_config_alike() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path());
    let cases: usize = env_number("PUNGI_KOBO_CASES", 3000);
    let seed = env_number("PUNGI_KOBO_SEED", 1) as u64;
    let generated: Vec<PathBuf> = (0..cases)
        .map(|n| generated_case(&dir.path().join(format!("gen/{n}")), seed + n as u64))
        .collect();

    let all: Vec<&PathBuf> = corpus.iter().chain(&generated).collect();
    let kobo = read_with_kobo(&all);
    let mut tally = BTreeMap::<&str, usize>::new();
    let mut refusals = BTreeMap::<String, usize>::new();
    let mut differences = Vec::new();
    for path in &all {
        let theirs = &kobo[*path];
        let ours = read_with_pungi_wasm(path);
        let outcome = match (&ours, theirs) {
            (Reading::Options(a), Reading::Options(b)) if a == b => "equal values",
            (Reading::Refused(_), Reading::Refused(why)) => {
                // The exception and the first words of its message.
                let kind: Vec<&str> = why.split_whitespace().take(3).collect();
                *refusals.entry(kind.join(" ")).or_default() += 1;
                "both refused"
            }
            (Reading::Refused(why), Reading::Options(_))
                if DELIBERATE.iter().any(|d| why.contains(d)) =>
            {
                "refused by us on purpose"
            }
            _ => {
                differences.push(format!(
                    "{}:\n--- config ---\n{}\n--- pungi-wasm ---\n{ours:?}\n--- kobo ---\n{theirs:?}",
                    path.display(),
                    std::fs::read_to_string(path).unwrap_or_default()
                ));
                "different"
            }
        };
        *tally.entry(outcome).or_default() += 1;
    }
    println!(
        "{} corpus files and {cases} generated configs (seeds {seed}..{}): {tally:?}",
        corpus.len(),
        seed + cases as u64
    );
    println!("kobo's refusals: {refusals:#?}");
    assert!(
        differences.is_empty(),
        "{} of {} configs read differently; the first:\n{}",
        differences.len(),
        all.len(),
        differences[..differences.len().min(3)].join("\n\n")
    );
    // The generator must reach both sides of the language, not only its errors.
    assert!(tally["equal values"] * 3 > all.len(), "{tally:?}");
    assert!(tally["both refused"] * 10 > all.len(), "{tally:?}");
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Every config in the repository (the test corpus, the config crate's test data with
/// its include cycle, the examples) and the demo's, written into `dir`.
fn corpus(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for root in ["tests/configs", "host/config/tests/data", "examples"] {
        collect_confs(&workspace().join(root), &mut files);
    }
    write_demo(&dir.join("demo")).unwrap();
    files.push(dir.join("demo/demo.conf"));
    assert!(files.len() >= 15, "the corpus went missing: {files:?}");
    files
}

fn collect_confs(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_confs(&path, files);
        } else if path.extension().is_some_and(|e| e == "conf") {
            files.push(path);
        }
    }
}

/// Every file read by kobo, in one Python process.
fn read_with_kobo(paths: &[&PathBuf]) -> BTreeMap<PathBuf, Reading> {
    let mut child = Command::new(python())
        .arg(workspace().join("tests/kobo/read_configs.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python starts");
    let list: String = paths.iter().map(|p| format!("{}\n", p.display())).collect();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), list.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "kobo's reader failed (is kobo installed in the venv?)"
    );
    let results: BTreeMap<PathBuf, Json> = serde_json::from_slice(&output.stdout).unwrap();
    results
        .into_iter()
        .map(|(path, result)| {
            let reading = match result.get("options") {
                Some(options) => Reading::Options(options.clone()),
                None => Reading::Refused(result["error"].as_str().unwrap_or("").to_owned()),
            };
            (path, reading)
        })
        .collect()
}

fn read_with_pungi_wasm(path: &Path) -> Reading {
    match pungi_config::load(path) {
        Ok(loaded) => Reading::Options(Json::Object(
            loaded
                .options
                .iter()
                .map(|(name, value)| (name.clone(), typed(value)))
                .collect(),
        )),
        Err(error) => Reading::Refused(error.message),
    }
}

/// The JSON `read_configs.py` writes for a Python value.
fn typed(value: &Value) -> Json {
    match value {
        Value::None => Json::Null,
        Value::Bool(b) => json!({ "bool": b }),
        Value::Int(i) => json!({ "int": i.to_string() }),
        // Python's repr of a float, as a dict key's JSON name spells it.
        Value::Float(_) => json!({ "float": value.json_key() }),
        Value::Str(s) => json!({ "str": s }),
        Value::List(items) => json!({ "list": items.iter().map(typed).collect::<Vec<_>>() }),
        Value::Tuple(items) => json!({ "tuple": items.iter().map(typed).collect::<Vec<_>>() }),
        Value::Dict(entries) => json!({
            "dict": entries.iter().map(|(k, v)| json!([typed(k), typed(v)])).collect::<Vec<_>>()
        }),
    }
}

/// Writes generated config `seed` into `dir` (and, for some, a file it includes);
/// returns the config's path.
fn generated_case(dir: &Path, seed: u64) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let mut generator = Generator::new(seed);
    if generator.below(5) == 0 {
        let base = format!("a = 1\nb = 'x'\n{}", generator.config(false));
        std::fs::write(dir.join("base.conf"), base).unwrap();
        generator.includes = true;
    }
    let text = generator.config(true);
    let path = dir.join("main.conf");
    std::fs::write(&path, text).unwrap();
    path
}

/// Config texts from the language's whole surface: every literal form kobo's
/// tokenizer can produce (and some it refuses), names defined and not, containers with
/// every kind of separator, `%` formatting, `global`, includes, indentation, and now
/// and then a character inserted or removed anywhere.
struct Generator {
    state: u64,
    /// Names assigned so far, for references.
    defined: Vec<String>,
    /// `base.conf` exists beside the config.
    includes: bool,
}

const NAMES: [&str; 8] = ["a", "b", "arch", "release_name", "opts", "x1", "é", "match"];
const BAD_NAMES: [&str; 5] = ["_hidden", "if", "True", "undefined", "None"];
const INTS: [&str; 7] = ["0", "7", "42", "-3", "1_000", "00", "- 5"];
const FLOATS: [&str; 6] = ["1.5", "-0.25", ".5", "2.", "1.5e3", "-0.0"];
const STRINGS: [&str; 16] = [
    "'a'",
    "\"b c\"",
    "'%s'",
    "'x%sy'",
    "'%(a)s'",
    "'100%%'",
    "'\\n'",
    "'it\\'s'",
    "\"q'q\"",
    "''",
    "'é'",
    "'a\\\nb'",
    "'^.*\\.src$'",
    "\"tab\\there\"",
    "'%d-%r'",
    "'%-4s|%3d|%x'",
];
/// Literals kobo refuses, or reads otherwise than they are written, or past our bounds.
const ODD_LITERALS: [&str; 12] = [
    "007",
    "0x1F",
    "1e3",
    "2j",
    "99999999999999999999",
    "1_0.5",
    "1.e-7",
    "3.0j",
    "r'raw'",
    "u'u'",
    "'''t'''",
    "'open",
];
const CONSTANTS: [&str; 3] = ["True", "False", "None"];
const SEPARATORS: [&str; 8] = [", ", ",", " ", ",,", "\n", " ,\n  ", ", # c\n", ""];
const STATEMENT_ENDS: [&str; 7] = ["\n", "\n\n", " ", "  # note\n", "\n    ", "\t\n", ";\n"];
const INSERTED: [&str; 14] = [
    "+", "*", "$", "?", ";", ":", "=", ")", "(", "\\", "'", "\t", ",", "%",
];

impl Generator {
    fn new(seed: u64) -> Self {
        Generator {
            state: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
            defined: Vec::new(),
            includes: false,
        }
    }

    /// xorshift64*: a few lines instead of a dependency, reproducible by seed.
    fn below(&mut self, n: usize) -> usize {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        (self.state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn config(&mut self, mutate: bool) -> String {
        let mut text = String::new();
        if self.includes {
            let imports = [
                "from base import *\n",
                "from base import a, b\n",
                "from base import a b\n",
            ];
            if self.below(3) == 0 {
                text.push_str("global arch\narch = 'x86_64'\n");
                self.defined.push("arch".into());
            }
            text.push_str(self.pick(&imports));
            self.defined.extend(["a".into(), "b".into()]);
        }
        for _ in 0..1 + self.below(6) {
            match self.below(20) {
                0 => {
                    let name = self.pick(&NAMES);
                    text.push_str(&format!("global {name}"));
                    self.defined.push(name.into());
                }
                1 => text.push_str(&format!("{} = {}", self.pick(&BAD_NAMES), self.value(0))),
                _ => {
                    let name = self.pick(&NAMES);
                    let value = self.value(0);
                    text.push_str(&format!("{name} = {value}"));
                    self.defined.push(name.into());
                }
            }
            let end = if self.below(8) == 0 {
                self.pick(&STATEMENT_ENDS)
            } else {
                "\n"
            };
            text.push_str(end);
        }
        if mutate && self.below(8) == 0 {
            self.mutate(&mut text);
        }
        text
    }

    /// Inserts a character, or removes one, at a random place.
    fn mutate(&mut self, text: &mut String) {
        let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        let at = boundaries[self.below(boundaries.len())];
        if self.below(2) == 0 {
            let inserted = self.pick(&INSERTED);
            text.insert_str(at, inserted);
        } else {
            text.remove(at);
        }
    }

    fn value(&mut self, depth: usize) -> String {
        let kinds = if depth >= 3 { 5 } else { 9 };
        if self.below(20) == 0 {
            return self.pick(&ODD_LITERALS).to_owned();
        }
        match self.below(kinds) {
            0 => self.pick(&INTS).to_owned(),
            1 => self.pick(&FLOATS).to_owned(),
            2 => self.pick(&STRINGS).to_owned(),
            3 => self.pick(&CONSTANTS).to_owned(),
            4 => self.name(),
            5 => format!("[{}]", self.items(depth, false)),
            6 => format!("({})", self.items(depth, false)),
            7 => format!("{{{}}}", self.items(depth, true)),
            _ => self.format(depth),
        }
    }

    /// `"..." % value`: mostly a template and arguments that fit (as configs write
    /// them), else any string with any value.
    fn format(&mut self, depth: usize) -> String {
        let space = self.pick(&["", " ", "\n"]);
        let scalar = |g: &mut Self| match g.below(3) {
            0 => g.pick(&INTS).to_owned(),
            1 => g.pick(&STRINGS).to_owned(),
            _ => g.name(),
        };
        match self.below(5) {
            0 => format!("'%s-%s'{space}% ({}, {})", scalar(self), scalar(self)),
            1 => format!(
                "'%(a)s.%(b)r'{space}% {{'a': {}, 'b': {}}}",
                scalar(self),
                scalar(self)
            ),
            2 => format!(
                "'%5d|%-3s|%x'{space}% ({}, {}, 255)",
                self.pick(&INTS),
                scalar(self)
            ),
            3 => format!("'%s'{space}% {}", scalar(self)),
            _ => {
                let template = self.pick(&STRINGS);
                format!("{template}{space}% {}", self.value(depth + 1))
            }
        }
    }

    /// Mostly a name defined before, now and then one kobo refuses.
    fn name(&mut self) -> String {
        if self.below(10) == 0 {
            return self.pick(&BAD_NAMES).to_owned();
        }
        if self.defined.is_empty() {
            return self.pick(&CONSTANTS).to_owned();
        }
        let at = self.below(self.defined.len());
        self.defined[at].clone()
    }

    fn items(&mut self, depth: usize, dict: bool) -> String {
        let mut text = String::new();
        for _ in 0..self.below(5) {
            if dict {
                let key = match self.below(6) {
                    0 => self.pick(&INTS).to_owned(),
                    1 => self.pick(&FLOATS).to_owned(),
                    2 => self.pick(&CONSTANTS).to_owned(),
                    3 => self.name(),
                    _ => self
                        .pick(&["'a'", "'b'", "'x86_64'", "'*'", "'%s' % 'a'"])
                        .to_owned(),
                };
                let value = self.value(depth + 1);
                text.push_str(&format!("{key}: {value}"));
            } else {
                text.push_str(&self.value(depth + 1));
            }
            text.push_str(self.pick(&SEPARATORS));
        }
        text
    }
}
