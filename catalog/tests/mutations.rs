//! Bad input never panics: random mutations of valid specs go through loading,
//! validation and rendering, and every diagnostic points inside its file.

use proptest::prelude::*;
use toolsmith_catalog::{render_human, render_json, validate, Loaded, Style};

fn seeds() -> Vec<String> {
    let mut seeds = vec![
        std::fs::read_to_string("tests/fixtures/valid/demo/toolkit.yaml").expect("fixture"),
        std::fs::read_to_string("tests/fixtures/valid/demo/files.yaml").expect("fixture"),
    ];
    seeds.push(format!("{}\n{}", seeds[0], seeds[1].replace("tools:", "")));
    seeds
}

#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Insert(usize, String),
    Truncate(usize),
    ReplaceChar(usize, char),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let junk = prop_oneof![
        Just(": ".to_owned()),
        Just("{".to_owned()),
        Just("]".to_owned()),
        Just("\n  - ".to_owned()),
        Just("\t".to_owned()),
        Just("'".to_owned()),
        Just("\"".to_owned()),
        Just("&a *a".to_owned()),
        Just("!!binary".to_owned()),
        Just("{x}".to_owned()),
        Just("é☕".to_owned()),
        Just("\n---\n".to_owned()),
        Just("$ref: '#/nope'".to_owned()),
        "[a-z_{}:,\\[\\] \\n-]{1,12}",
    ];
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), junk).prop_map(|(i, s)| Mutation::Insert(i, s)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<char>()).prop_map(|(i, c)| Mutation::ReplaceChar(i, c)),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    let n = lines.len().max(1);
    let boundary = |i: usize| {
        let mut i = i % (text.len() + 1);
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    match m {
        Mutation::DeleteLine(i) => {
            if !lines.is_empty() {
                lines.remove(i % n);
            }
            lines.join("\n")
        }
        Mutation::DuplicateLine(i) => {
            if !lines.is_empty() {
                let l = lines[i % n];
                lines.insert(i % n, l);
            }
            lines.join("\n")
        }
        Mutation::SwapLines(a, b) => {
            if !lines.is_empty() {
                lines.swap(a % n, b % n);
            }
            lines.join("\n")
        }
        Mutation::Insert(i, s) => {
            let i = boundary(*i);
            format!("{}{}{}", &text[..i], s, &text[i..])
        }
        Mutation::Truncate(i) => text[..boundary(*i)].to_owned(),
        Mutation::ReplaceChar(i, c) => {
            let i = boundary(*i);
            let rest = &text[i..];
            let skip = rest.chars().next().map_or(0, char::len_utf8);
            format!("{}{}{}", &text[..i], c, &rest[skip..])
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn mutated_specs_never_panic(seed in 0usize..3, mutations in prop::collection::vec(mutation(), 1..4)) {
        let seeds = seeds();
        let mut text = seeds[seed % seeds.len()].clone();
        for m in &mutations {
            text = apply(&text, m);
        }
        let mut loaded = Loaded::from_str("mutated.yaml", &text);
        let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
        diagnostics.extend(validate(&loaded));
        for d in &diagnostics {
            if let (Some(file), Some(loc)) = (&d.file, d.location) {
                prop_assert!(loc.offset + loc.len <= file.text().len());
                prop_assert!(file.text().is_char_boundary(loc.offset));
                prop_assert!(file.text().is_char_boundary(loc.offset + loc.len));
            }
        }
        let _ = render_human(&diagnostics, Style::default());
        let _ = render_json(&diagnostics);
    }
}
